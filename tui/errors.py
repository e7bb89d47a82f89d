"""User-facing failures: one line of Chinese, a non-zero exit, never a traceback."""

from __future__ import annotations

import errno


class DubanError(Exception):
    """An error whose message is shown to the user as is (in Chinese)."""

    exit_code = 2

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.message = message
        self.exit_code = exit_code


_ERRNO_CN = {
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.ENOSPC: "磁盘已满",
    errno.EROFS: "所在磁盘是只读的",
    errno.ENOENT: "不存在",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一部分不是文件夹",
    errno.EEXIST: "已存在",
    errno.EDQUOT: "磁盘配额已满",
    errno.ENAMETOOLONG: "文件名太长",
}


def os_reason(exc: OSError) -> str:
    """Why a file operation failed, in a few Chinese words."""
    return _ERRNO_CN.get(exc.errno or 0, exc.strerror or "无法访问")
