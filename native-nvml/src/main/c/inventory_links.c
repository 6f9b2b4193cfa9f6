/* The inventory's matrices and lists: NVLinks, topology levels, scripted events and failures. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_fields.h"

/* An n x n matrix of integers (null or absent: out stays NULL). */
static int load_matrix(struct ctx *c, const struct json_value *root, const char *key, int n, long long max,
                       int **out) {
  const struct json_value *m = member(root, key);
  *out = NULL;
  if (m == NULL) {
    return 1;
  }
  if (m->type != JSON_ARRAY || m->count != (size_t)n) {
    return bad(c, m, "%s: expected null or an array of %d rows (one per GPU)", key, n);
  }
  *out = calloc((size_t)n * (size_t)n + 1, sizeof **out);
  if (*out == NULL) {
    return bad(c, m, "out of memory");
  }
  for (int i = 0; i < n; i++) {
    const struct json_value *row = m->items[i];
    if (row->type != JSON_ARRAY || row->count != (size_t)n) {
      return bad(c, row, "%s[%d]: expected an array of %d integers", key, i, n);
    }
    for (int j = 0; j < n; j++) {
      const struct json_value *cell = row->items[j];
      if (cell->type != JSON_NUMBER || !cell->is_integer || cell->integer < 0 || cell->integer > max) {
        return bad(c, cell, "%s[%d][%d]: expected an integer from 0 to %lld", key, i, j, max);
      }
      (*out)[i * n + j] = (int)cell->integer;
    }
  }
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < i; j++) {
      if ((*out)[i * n + j] != (*out)[j * n + i]) {
        return bad(c, m, "%s: not symmetric: [%d][%d] is %d but [%d][%d] is %d", key, i, j, (*out)[i * n + j], j,
                   i, (*out)[j * n + i]);
      }
    }
  }
  return 1;
}

/* Numbers each GPU's links from 0: peer links in order of peer index, then the NVSwitch links. */
int load_nvlinks(struct ctx *c, const struct json_value *root, struct fake_inventory *inv) {
  int n = inv->gpu_count, *matrix;
  if (!load_matrix(c, root, "nvlinkMatrix", n, NVML_NVLINK_MAX_LINKS, &matrix)) {
    free(matrix);
    return 0;
  }
  for (int i = 0; i < n; i++) {
    struct fake_gpu *gpu = &inv->gpus[i];
    int total = gpu->nvswitch_links, link = 0;
    for (int j = 0; matrix != NULL && j < n; j++) {
      total += matrix[i * n + j];
    }
    if (matrix != NULL && matrix[i * n + i] != 0) {
      free(matrix);
      return bad(c, member(root, "nvlinkMatrix"), "nvlinkMatrix[%d][%d]: a GPU has no NVLinks to itself", i, i);
    }
    if (total > NVML_NVLINK_MAX_LINKS) {
      free(matrix);
      return bad(c, member(root, "nvlinkMatrix"), "gpus[%d] has %d NVLinks (peers + nvswitchLinks), at most %d", i,
                 total, NVML_NVLINK_MAX_LINKS);
    }
    for (int j = 0; matrix != NULL && j < n; j++) {
      for (int k = 0; k < matrix[i * n + j]; k++) {
        gpu->links[link++] = (struct fake_link){LINK_PEER, j};
      }
    }
    for (int k = 0; k < gpu->nvswitch_links; k++) {
      gpu->links[link++] = (struct fake_link){LINK_SWITCH, -1};
    }
  }
  free(matrix);
  return 1;
}

static int derived_level(const struct fake_gpu *a, const struct fake_gpu *b) {
  if (a == b || (a->board[0] != '\0' && strcmp(a->board, b->board) == 0)) {
    return NVML_TOPOLOGY_INTERNAL;
  }
  if (a->pcie_switch[0] != '\0' && strcmp(a->pcie_switch, b->pcie_switch) == 0) {
    return NVML_TOPOLOGY_SINGLE;
  }
  return a->numa_node == b->numa_node ? NVML_TOPOLOGY_NODE : NVML_TOPOLOGY_SYSTEM;
}

int load_topology(struct ctx *c, const struct json_value *root, struct fake_inventory *inv) {
  int n = inv->gpu_count;
  if (!load_matrix(c, root, "topologyMatrix", n, NVML_TOPOLOGY_SYSTEM, &inv->topology)) {
    return 0;
  }
  if (inv->topology != NULL) {
    for (int i = 0; i < n * n; i++) {
      if (inv->topology[i] % 10 != 0) {
        return bad(c, member(root, "topologyMatrix"), "topologyMatrix[%d][%d]: %d is not an NVML topology level "
                   "(0, 10, 20, 30, 40 or 50)", i / n, i % n, inv->topology[i]);
      }
    }
    return 1;
  }
  inv->topology = calloc((size_t)n * (size_t)n + 1, sizeof *inv->topology);
  if (inv->topology == NULL) {
    return bad(c, root, "out of memory");
  }
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) {
      inv->topology[i * n + j] = derived_level(&inv->gpus[i], &inv->gpus[j]);
    }
  }
  return 1;
}

int load_events(struct ctx *c, const struct json_value *root, struct fake_inventory *inv) {
  static const char *const allowed[] = {"afterMs", "gpu", "xid", NULL};
  const struct json_value *events = member(root, "events");
  if (events == NULL) {
    return 1;
  }
  if (events->type != JSON_ARRAY) {
    return bad(c, events, "events: expected an array, found %s", json_type_name(events->type));
  }
  inv->events = calloc(events->count + 1, sizeof *inv->events);
  if (inv->events == NULL) {
    return bad(c, events, "out of memory");
  }
  for (size_t i = 0; i < events->count; i++) {
    const struct json_value *e = events->items[i];
    char where[32];
    long long after_ms, gpu, xid;
    snprintf(where, sizeof where, "events[%zu]", i);
    if (e->type != JSON_OBJECT) {
      return bad(c, e, "%s: expected an object, found %s", where, json_type_name(e->type));
    }
    if (inv->gpu_count == 0) {
      return bad(c, e, "%s: the inventory has no GPUs for an event to happen on", where);
    }
    if (!check_members(c, e, where, allowed) || !opt_int(c, e, "afterMs", where, 0, 1LL << 40, 0, &after_ms) ||
        !opt_int(c, e, "gpu", where, 0, inv->gpu_count - 1, -1, &gpu) ||
        !opt_int(c, e, "xid", where, 0, 0xFFFFFFFFLL, -1, &xid)) {
      return 0;
    }
    if (gpu < 0 || xid < 0) {
      return bad(c, e, "%s: \"gpu\" and \"xid\" are required", where);
    }
    /* Insertion by afterMs keeps equal times in file order, so they fire in the order written. */
    int k = inv->event_count++;
    while (k > 0 && inv->events[k - 1].after_ms > after_ms) {
      inv->events[k] = inv->events[k - 1];
      k--;
    }
    inv->events[k] = (struct fake_scripted_event){after_ms, (int)gpu, (unsigned long long)xid, 0};
  }
  return 1;
}

int load_failures(struct ctx *c, const struct json_value *root, struct fake_inventory *inv) {
  static const char *const allowed[] = {"function", "gpu", "code", "afterCalls", NULL};
  const struct json_value *failures = member(root, "failures");
  if (failures == NULL) {
    return 1;
  }
  if (failures->type != JSON_ARRAY) {
    return bad(c, failures, "failures: expected an array, found %s", json_type_name(failures->type));
  }
  inv->failures = calloc(failures->count + 1, sizeof *inv->failures);
  if (inv->failures == NULL) {
    return bad(c, failures, "out of memory");
  }
  for (size_t i = 0; i < failures->count; i++) {
    const struct json_value *f = failures->items[i];
    char where[32], function[64], code_name[64];
    long long gpu, after_calls;
    nvmlReturn_t code;
    snprintf(where, sizeof where, "failures[%zu]", i);
    if (f->type != JSON_OBJECT) {
      return bad(c, f, "%s: expected an object, found %s", where, json_type_name(f->type));
    }
    if (inv->gpu_count == 0 && member(f, "gpu") != NULL) {
      return bad(c, f, "%s.gpu: the inventory has no GPUs", where);
    }
    if (!check_members(c, f, where, allowed) ||
        !opt_string(c, f, "function", where, function, sizeof function, "", 0) ||
        !opt_string(c, f, "code", where, code_name, sizeof code_name, "", 0) ||
        !opt_int(c, f, "gpu", where, 0, inv->gpu_count - 1, -1, &gpu) ||
        !opt_int(c, f, "afterCalls", where, 0, 0x7FFFFFFF, 0, &after_calls)) {
      return 0;
    }
    int id = fake_function_by_name(function);
    if (id < 0) {
      return bad(c, f, "%s.function: \"%s\" is not an NVML function this library implements", where, function);
    }
    if (!fake_code_by_name(code_name, &code)) {
      return bad(c, f, "%s.code: \"%s\" is not an NVML error code name like \"GPU_IS_LOST\"", where, code_name);
    }
    inv->failures[inv->failure_count++] =
        (struct fake_failure){(enum fake_function)id, (int)gpu, code, (unsigned long)after_calls, 0};
  }
  return 1;
}
