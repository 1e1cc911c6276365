/* A library a manifest preloads: its constructor leaves a mark at ONLINESIM_PRELOAD_MARK. */
#include <stdio.h>
#include <stdlib.h>

__attribute__((constructor)) static void mark(void) {
    const char *path = getenv("ONLINESIM_PRELOAD_MARK");
    FILE *file = path ? fopen(path, "a") : NULL;
    if (file) {
        fprintf(file, "preloaded in pid\n");
        fclose(file);
    }
}
