/* fd.h -- writing to a file descriptor: the one loop that retries short and interrupted
 * writes (pipes from the PDF child, the converted gb18030 output). */
#ifndef HUIZONG_FD_H
#define HUIZONG_FD_H

#include <stddef.h>

/* Writes all len bytes of buf to fd, retrying after EINTR and short writes. 0, or -1 with
 * errno set (0 bytes written by write() counts as a failure). */
int fd_write_all(int fd, const void *buf, size_t len);

#endif
