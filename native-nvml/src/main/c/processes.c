/* The compute processes of one GPU or MIG device: a small list keyed by pid. */
#include <stdlib.h>

#include "fake_nvml.h"

int fake_process_put(struct fake_process_list *list, struct fake_process process) {
  for (int i = 0; i < list->count; i++) {
    if (list->items[i].pid == process.pid) {
      list->items[i] = process;
      return 1;
    }
  }
  if (list->count == FAKE_MAX_PROCESSES) {
    return 0;
  }
  if (list->count == list->capacity) {
    int capacity = list->capacity == 0 ? 4 : list->capacity * 2;
    struct fake_process *grown = realloc(list->items, (size_t)capacity * sizeof *grown);
    if (grown == NULL) {
      return 0;
    }
    list->items = grown;
    list->capacity = capacity;
  }
  list->items[list->count++] = process;
  return 1;
}

int fake_process_remove(struct fake_process_list *list, unsigned int pid) {
  int kept = 0, removed = 0;
  for (int i = 0; i < list->count; i++) {
    if (list->items[i].pid == pid) {
      removed++;
    } else {
      list->items[kept++] = list->items[i];
    }
  }
  list->count = kept;
  return removed;
}

void fake_process_list_free(struct fake_process_list *list) {
  free(list->items);
  list->items = NULL;
  list->count = list->capacity = 0;
}
