// SPDX-License-Identifier: GPL-2.0
/* Uses dma_buf_put, exported in namespace DMA_BUF, without MODULE_IMPORT_NS(DMA_BUF): EINVAL. */
#include <linux/module.h>
#include <linux/dma-buf.h>

static void *volatile keep = (void *)dma_buf_put;

static int __init abi_namespace_init(void)
{
	return keep ? 0 : -EINVAL;
}
module_init(abi_namespace_init);
MODULE_LICENSE("GPL");
