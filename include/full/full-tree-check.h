#ifndef LOTBACKUP_FULL_TREE_CHECK_H
#define LOTBACKUP_FULL_TREE_CHECK_H

#include <stddef.h>

#include "verify/verify.h"

/*
 * What restore --to would refuse only once the history is checked out: a
 * deps/ or config/ file, or a submodule's directory, below something the
 * tree makes a symlink or a file (fs_mkdirs_for refuses to write through
 * it). BASE holds the backup's git/ (repo.bundle, or refs.txt and
 * objects/); the tree is read from a bare repository in a temporary
 * directory, removed afterwards: nothing is checked out. BRANCH and
 * COMMIT (either may be NULL) are the manifest's, PATHS its files. Adds
 * the check "tree" to `result`.
 */
void full_check_tree(const char *base, const char *branch, const char *commit, const char *const *paths,
    size_t npaths, struct verify_result *result);

#endif
