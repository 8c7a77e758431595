/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * QEMU's edu device behind vfio-pci in the PAMU test guest.
 *
 * BAR0 is accessed with pread/pwrite on the vfio device fd, 4 bytes at a
 * time: edu ignores the upper halves of its 64-bit registers on 4-byte
 * accesses, and a 32-bit kernel has no 8-byte MMIO for vfio-pci.  edu's
 * registers are native-endian and vfio-pci on a big-endian host passes
 * MMIO through unswapped, so values are plain CPU-order words.  Config
 * space is little-endian.  DMA runs from a 100 ms timer of the virtual
 * clock, so it is polled for.
 */

#define _GNU_SOURCE

#include <dirent.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/pci_regs.h>
#include <linux/vfio.h>

#include "vfio-edu.h"

#define PCI_DEVICES         "/sys/bus/pci/devices"
#define BAR0                ((uint64_t)VFIO_PCI_BAR0_REGION_INDEX << 40)
#define CONFIG              ((uint64_t)VFIO_PCI_CONFIG_REGION_INDEX << 40)

#define EDU_REG_ID          0x00
#define EDU_REG_IRQ_RAISE   0x60
#define EDU_REG_IRQ_ACK     0x64
#define EDU_REG_DMA_SRC     0x80
#define EDU_REG_DMA_DST     0x88
#define EDU_REG_DMA_CNT     0x90
#define EDU_REG_DMA_CMD     0x98
#define EDU_ID_MASK         0xff
#define EDU_ID_VALUE        0xed
#define EDU_DMA_BUF         0x40000
#define EDU_CMD_RUN         0x1
#define EDU_CMD_TO_RAM      0x2
#define EDU_CMD_IRQ         0x4
#define EDU_IRQ_MSI_TEST    0x1000
#define EDU_IRQ_ALL         0xffffffffu
/* generous: the 100 ms timer runs on the virtual clock of a TCG guest */
#define EDU_DMA_TIMEOUT_MS  5000

static int read_text(const char *path, char *buf, size_t len)
{
    int fd = open(path, O_RDONLY);
    ssize_t n;

    if (fd < 0) {
        return -errno;
    }
    n = read(fd, buf, len - 1);
    close(fd);
    if (n < 0) {
        return -EIO;
    }
    buf[n] = 0;
    buf[strcspn(buf, "\n")] = 0;
    return 0;
}

static int write_text(const char *path, const char *text)
{
    int fd = open(path, O_WRONLY);
    ssize_t n;

    if (fd < 0) {
        return -errno;
    }
    n = write(fd, text, strlen(text));
    close(fd);
    return n == (ssize_t)strlen(text) ? 0 : -errno;
}

/* Basename of the link @dir/@name, or "" */
static void link_base(const char *dir, const char *name, char *buf,
                      size_t len)
{
    char path[PATH_MAX], target[PATH_MAX];
    ssize_t n;

    snprintf(path, sizeof(path), "%s/%s", dir, name);
    n = readlink(path, target, sizeof(target) - 1);
    buf[0] = 0;
    if (n > 0) {
        target[n] = 0;
        snprintf(buf, len, "%s", strrchr(target, '/') ?
                 strrchr(target, '/') + 1 : target);
    }
}

static bool is_edu(const char *bdf)
{
    char path[PATH_MAX], v[16], d[16];
    unsigned vendor, device;

    snprintf(path, sizeof(path), PCI_DEVICES "/%s/vendor", bdf);
    if (read_text(path, v, sizeof(v))) {
        return false;
    }
    snprintf(path, sizeof(path), PCI_DEVICES "/%s/device", bdf);
    if (read_text(path, d, sizeof(d))) {
        return false;
    }
    return sscanf(v, "%x", &vendor) == 1 && vendor == EDU_VENDOR &&
           sscanf(d, "%x", &device) == 1 && device == EDU_DEVICE;
}

static bool find_edu(EduFunc *e)
{
    DIR *d = opendir(PCI_DEVICES);
    struct dirent *ent;
    bool found = false;

    while (d && !found && (ent = readdir(d)) != NULL) {
        if (ent->d_name[0] != '.' && is_edu(ent->d_name)) {
            snprintf(e->bdf, sizeof(e->bdf), "%s", ent->d_name);
            found = true;
        }
    }
    if (d) {
        closedir(d);
    }
    return found;
}

static int bind_vfio(EduFunc *e, char *why, size_t len)
{
    char dir[PATH_MAX], path[PATH_MAX], drv[64];
    int ret;

    snprintf(dir, sizeof(dir), PCI_DEVICES "/%s", e->bdf);
    link_base(dir, "driver", drv, sizeof(drv));
    if (!strcmp(drv, "vfio-pci")) {
        return 0;
    }
    if (drv[0]) {
        snprintf(path, sizeof(path), "%s/driver/unbind", dir);
        write_text(path, e->bdf);
    }
    snprintf(path, sizeof(path), "%s/driver_override", dir);
    ret = write_text(path, "vfio-pci");
    if (!ret) {
        ret = write_text("/sys/bus/pci/drivers_probe", e->bdf);
    }
    link_base(dir, "driver", drv, sizeof(drv));
    if (strcmp(drv, "vfio-pci")) {
        snprintf(why, len, "%s: binding to vfio-pci failed (%s), driver "
                 "now '%s'", e->bdf, strerror(ret ? -ret : ENODEV), drv);
        return ret ? ret : -ENODEV;
    }
    return 0;
}

int edu_setup(EduFunc *e, char *why, size_t len)
{
    char dir[PATH_MAX], group[32];
    int ret;

    memset(e, 0, sizeof(*e));
    if (!find_edu(e)) {
        snprintf(why, len, "no edu function (%04x:%04x) in " PCI_DEVICES,
                 EDU_VENDOR, EDU_DEVICE);
        return -ENODEV;
    }
    snprintf(dir, sizeof(dir), PCI_DEVICES "/%s", e->bdf);
    link_base(dir, "iommu_group", group, sizeof(group));
    if (!group[0]) {
        snprintf(why, len, "%s has no IOMMU group", e->bdf);
        return -ENODEV;
    }
    e->group = atoi(group);
    snprintf(e->group_path, sizeof(e->group_path), "/dev/vfio/%d",
             e->group);
    ret = bind_vfio(e, why, len);
    if (ret) {
        return ret;
    }
    if (access(e->group_path, F_OK)) {
        snprintf(why, len, "%s bound to vfio-pci, but %s is missing: %s",
                 e->bdf, e->group_path, strerror(errno));
        return -ENOENT;
    }
    return 0;
}

/* --- the device ----------------------------------------------------------- */

static int reg_write(int dev, uint32_t reg, uint32_t val)
{
    return pwrite(dev, &val, 4, BAR0 + reg) == 4 ? 0 : -EIO;
}

static int reg_read(int dev, uint32_t reg, uint32_t *val)
{
    return pread(dev, val, 4, BAR0 + reg) == 4 ? 0 : -EIO;
}

static int edu_init(int dev)
{
    uint16_t cmd;
    uint32_t id;

    if (pread(dev, &cmd, 2, CONFIG + PCI_COMMAND) != 2) {
        return -EIO;
    }
    cmd = htole16(le16toh(cmd) | PCI_COMMAND_MASTER | PCI_COMMAND_MEMORY);
    if (pwrite(dev, &cmd, 2, CONFIG + PCI_COMMAND) != 2 ||
        reg_read(dev, EDU_REG_ID, &id)) {
        return -EIO;
    }
    return (id & EDU_ID_MASK) == EDU_ID_VALUE ? 0 : -ENODEV;
}

static void sleep_ms(unsigned ms)
{
    struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

    nanosleep(&ts, NULL);
}

static int dma_wait(int dev)
{
    uint32_t cmd;
    unsigned waited;

    for (waited = 0; waited < EDU_DMA_TIMEOUT_MS; waited += 5) {
        if (reg_read(dev, EDU_REG_DMA_CMD, &cmd)) {
            return -EIO;
        }
        if (!(cmd & EDU_CMD_RUN)) {
            return 0;
        }
        sleep_ms(5);
    }
    return -ETIMEDOUT;
}

static int edu_dma_cmd(int dev, uint64_t iova, uint32_t off, uint32_t len,
                       uint32_t cmd)
{
    uint32_t buf = EDU_DMA_BUF + off;
    bool to_ram = cmd & EDU_CMD_TO_RAM;

    if (iova >> 32 || off + len > EDU_BUF_SIZE || !len) {
        return -ERANGE;
    }
    if (reg_write(dev, EDU_REG_DMA_SRC, to_ram ? buf : (uint32_t)iova) ||
        reg_write(dev, EDU_REG_DMA_DST, to_ram ? (uint32_t)iova : buf) ||
        reg_write(dev, EDU_REG_DMA_CNT, len) ||
        reg_write(dev, EDU_REG_DMA_CMD, cmd | EDU_CMD_RUN)) {
        return -EIO;
    }
    return dma_wait(dev);
}

static int edu_dma(int dev, uint64_t iova, uint32_t off, uint32_t len,
                   bool to_ram)
{
    return edu_dma_cmd(dev, iova, off, len, to_ram ? EDU_CMD_TO_RAM : 0);
}

int edu_dma_irq(int dev, uint64_t iova, uint32_t off, uint32_t len,
                bool to_ram)
{
    return edu_dma_cmd(dev, iova, off, len,
                       EDU_CMD_IRQ | (to_ram ? EDU_CMD_TO_RAM : 0));
}

int edu_irq_ack(int dev)
{
    return reg_write(dev, EDU_REG_IRQ_ACK, EDU_IRQ_ALL);
}

/* edu sends one MSI per raise while MSI is enabled */
static int edu_msi_send(int dev)
{
    int ret = reg_write(dev, EDU_REG_IRQ_RAISE, EDU_IRQ_MSI_TEST);

    return ret ? ret : edu_irq_ack(dev);
}

const ConfDevOps edu_dev_ops = {
    .name = "QEMU edu 1234:11e8 on vfio-pci",
    .buf_size = EDU_BUF_SIZE,
    .init = edu_init,
    .dma = edu_dma,
    .msi_send = edu_msi_send,
};
