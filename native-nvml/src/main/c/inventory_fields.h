/* Field readers for inventory.json: each validates one member and, on error, writes "file: line N: what". */
#ifndef KUBEACCEL_INVENTORY_FIELDS_H
#define KUBEACCEL_INVENTORY_FIELDS_H

#include <stddef.h>

#include "fake_nvml.h"
#include "json.h"

struct ctx {
  const char *path;
  char *error;
  size_t error_size;
};

/* Records "file: line N: message" and returns 0, so callers can write `return bad(...)`. */
int bad(struct ctx *c, const struct json_value *at, const char *format, ...) __attribute__((format(printf, 3, 4)));

/* A member that is absent or JSON null: both mean "use the default". */
const struct json_value *member(const struct json_value *object, const char *key);

int check_members(struct ctx *c, const struct json_value *object, const char *where, const char *const allowed[]);

int opt_int(struct ctx *c, const struct json_value *object, const char *key, const char *where, long long min,
            long long max, long long fallback, long long *out);

/* A string of 1..size-1 characters; ids (allow_spaces 0) must be one word, as the control file splits on spaces. */
int opt_string(struct ctx *c, const struct json_value *object, const char *key, const char *where, char *out,
               size_t size, const char *fallback, int allow_spaces);

/* A 32-bit PCI id: "0x20B010DE" or a plain number. */
int opt_pci_id(struct ctx *c, const struct json_value *object, const char *key, const char *where,
               unsigned int fallback, unsigned int *out);

/* "00000000:07:00.0" (NVML) or "0000:07:00.0" (Linux), any case, into the ids and both bus id strings. */
int parse_bus_id(const char *text, nvmlPciInfo_t *pci);

/* "8.0" (or the number 8.0): major and a one-digit minor, as CUDA names them. Default 8.0. */
int parse_compute_capability(struct ctx *c, const struct json_value *object, const char *where, struct fake_gpu *gpu);

/* inventory_devices.c */
/* computeMode, utilization, temperatureC, powerW and processes of a GPU whose other members are loaded. */
int load_gpu_runtime(struct ctx *c, const struct json_value *v, const char *where, struct fake_gpu *gpu);
/* The GPU's migDevices, appended to inv->migs (sized with count_migs beforehand). */
int load_migs(struct ctx *c, const struct json_value *v, const char *where, struct fake_inventory *inv,
              struct fake_gpu *gpu);
int count_migs(const struct json_value *gpus); /* an upper bound of the MIG devices the gpus array lists */

/* inventory_links.c */
int load_nvlinks(struct ctx *c, const struct json_value *root, struct fake_inventory *inv);
int load_topology(struct ctx *c, const struct json_value *root, struct fake_inventory *inv);
int load_events(struct ctx *c, const struct json_value *root, struct fake_inventory *inv);
int load_failures(struct ctx *c, const struct json_value *root, struct fake_inventory *inv);

#endif
