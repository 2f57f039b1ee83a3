/*
 * fsafe.h - file operations that cannot be redirected by another user.
 *
 * timewait runs as root and writes into folders a person names (--out,
 * report DIR). Every file it creates, writes, chowns or removes is reached
 * through a descriptor of a folder it opened and checked itself: names are
 * resolved one component at a time with openat/mkdirat/unlinkat, never
 * following a symbolic link, so a link planted in a folder, or a folder
 * swapped for a link while we work (renameat2 RENAME_EXCHANGE), cannot
 * send a write or a removal anywhere else. docs/security.md has the whole
 * threat model.
 *
 * Functions return 0 (or a descriptor) on success, -1 with errno set on
 * failure; those with err/errlen also leave a one-line reason there.
 */
#ifndef TIMEWAIT_FSAFE_H
#define TIMEWAIT_FSAFE_H

#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>

#define FS_ID_MAX 40	/* an identifier is at most this many characters */

/* An identifier that may become part of a path (a lab id, a test id, a
 * host name): [A-Za-z0-9][A-Za-z0-9._-]{0,39}, no "..". 1 if it is one. */
int fs_valid_id(const char *s);

/* Who result files belong to: the user who ran sudo (SUDO_UID/SUDO_GID,
 * when we are root and they are numbers), else our own real ids. */
void fs_result_owner(uid_t *uid, gid_t *gid);

/*
 * Open a folder results go into, checked: a folder (a link on the way is
 * followed only if root or the result owner made it), owned by root or by
 * the result owner, and not writable by group or others (unless it is a
 * folder this call made). The checks apply when we are root; otherwise
 * the kernel's permissions already keep us off other users' files.
 * create: make it (and missing parents) when missing, owned by the result
 * owner. Returns an O_DIRECTORY descriptor, or -1 with a message in err.
 */
int fs_open_outdir(const char *path, int create, char *err, size_t errlen);
/* The same walk, but the folder itself is checked as a folder on the way
 * is: root's or the result owner's, writable by others only if sticky
 * (like /tmp). For the parent of a folder that is made fresh and renamed
 * into place (lab down --out DIR): in a sticky folder nobody can rename or
 * remove our entries, and fs_may_replace refuses one that is not ours. */
int fs_open_parent(const char *path, int create, char *err, size_t errlen);
/* The same checks on a descriptor already open. 0 or -1 with err. */
int fs_check_outdir(int dirfd, const char *shown, int fresh, char *err, size_t errlen);

/* "/proc/self/fd/N/name" (name may be NULL): a path for code that wants
 * one, resolved through the open descriptor, not through the folder's
 * parents, which another user might rename. 0 or -1 if too long. */
int fs_fd_path(char *buf, size_t len, int dirfd, const char *name);

/* A new folder in dirfd named "<prefix>XXXXXX" (random), mode 0755, made by
 * us now (mkdirat fails on anything that exists). name gets its name
 * (size len). Returns its O_DIRECTORY descriptor or -1. */
int fs_mkdtempat(int dirfd, const char *prefix, char *name, size_t len);

/* Remove name in dirfd: a file or link is unlinked, a folder emptied by
 * descriptors (openat O_NOFOLLOW|O_DIRECTORY, fdopendir, unlinkat) and
 * removed. Never follows a link. 0 (also if name is missing) or -1. */
int fs_remove_tree(int dirfd, const char *name);
/* Remove everything inside the folder dirfd (the folder stays). */
int fs_empty_dir(int dirfd);

/* chown every entry under dirfd/name, and it, without following links. */
int fs_chown_tree(int dirfd, const char *name, uid_t uid, gid_t gid);

/*
 * Put the folder fromdir/tmpname in place of todir/name: name, if it
 * exists, is exchanged with it atomically (RENAME_EXCHANGE) and the old
 * one removed by fs_remove_tree; otherwise a plain rename without
 * replacement. 0 or -1 with err.
 */
int fs_replace_dir(int fromdir, const char *tmpname, int todir, const char *name,
    char *err, size_t errlen);

/* Remove the entries of dirfd named "<prefix><pid>.<anything>" whose pid
 * is no longer alive: the fresh folders of runs that were killed. */
void fs_remove_dead(int dirfd, const char *prefix);

/* Splits path into its folder (".", "/" or the part before the last
 * slash) and its last name, which must be a plain name (not "." or "..").
 * 0 or -1 (EINVAL). */
int fs_split(const char *path, char *dir, size_t dirlen, char *base, size_t baselen);

/* Whether the entry name in dirfd may be replaced by a new run folder:
 * missing, an empty folder, or a folder holding one of markers (files a
 * run writes: "lab.json", "result.json"), owned by root or the result
 * owner. A link, a file, another user's folder or a folder of something
 * else is refused, with the reason in err. 0 or -1. */
int fs_may_replace(int dirfd, const char *name, const char *shown,
    const char *const *markers, char *err, size_t errlen);

/* A new file name in dirfd (whatever was there is removed first; a
 * folder there is an error, EISDIR): O_CREAT|O_EXCL|O_NOFOLLOW plus
 * flags (O_WRONLY, O_APPEND...). Returns the descriptor or -1. */
int fs_create(int dirfd, const char *name, int flags, mode_t mode);

/* A whole file written atomically: a new temporary file, written,
 * flushed to the kernel, chowned to the result owner, renamed over name.
 * Nothing is left on failure; errno says why (ENOSPC, EIO...). */
int fs_write_file(int dirfd, const char *name, const void *buf, size_t len,
    mode_t mode);

/* Read a whole regular file (not a link, at most max bytes) in dirfd into a
 * malloc'd buffer ending with '\0'. owner_only: the file must be root's
 * and not writable by group or others. 0 or -1 (EFBIG, EPERM...). */
int fs_read_file(int dirfd, const char *name, size_t max, int owner_only,
    char **buf, size_t *len);
/* The same, but a longer file is read to max bytes, not refused; *size
 * (may be NULL) gets its whole size, to tell what was left unread. */
int fs_read_head(int dirfd, const char *name, size_t max, int owner_only,
    char **buf, size_t *len, off_t *size);

/*
 * A file named by a person (report --html FILE, bench --json FILE): its
 * folder is opened and checked as fs_open_parent does (never made; a
 * sticky folder like /tmp will do), a file there of another user is
 * refused, then the file is made new (fs_create: a link in its place is
 * removed, not followed) and given to the result owner. fs_check_out_file only
 * checks (for a command to refuse before it works). NULL or -1 with err.
 */
int fs_check_out_file(const char *path, char *err, size_t errlen);
FILE *fs_fopen_out(const char *path, char *err, size_t errlen);

/*
 * The tool's own folder, /run/timewait (mode 0755), and its private
 * temporary area under it, /run/timewait/tmp (mode 0700): each made if
 * missing, then checked to be a real folder (not a link) owned by root and
 * not writable by group or others. Returns an O_DIRECTORY descriptor or -1
 * with err.
 */
#define FS_STATE_DIR "/run/timewait"
#define FS_TMP_DIR FS_STATE_DIR "/tmp"
int fs_state_dir(char *err, size_t errlen);
int fs_tmp_dir(char *err, size_t errlen);

#endif
