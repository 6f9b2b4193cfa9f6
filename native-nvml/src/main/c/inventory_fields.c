/* Readers for single inventory.json members, with the validation and messages every part of the loader shares. */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "inventory_fields.h"

int bad(struct ctx *c, const struct json_value *at, const char *format, ...) {
  int n = snprintf(c->error, c->error_size, "%s: line %d: ", c->path, at == NULL ? 1 : at->line);
  if (n >= 0 && (size_t)n < c->error_size) {
    va_list args;
    va_start(args, format);
    vsnprintf(c->error + n, c->error_size - (size_t)n, format, args);
    va_end(args);
  }
  return 0;
}

const struct json_value *member(const struct json_value *object, const char *key) {
  const struct json_value *v = json_member(object, key);
  return v == NULL || v->type == JSON_NULL ? NULL : v;
}

int check_members(struct ctx *c, const struct json_value *object, const char *where,
                         const char *const allowed[]) {
  for (size_t i = 0; i < object->count; i++) {
    int known = 0;
    for (const char *const *a = allowed; *a != NULL && !known; a++) {
      known = strcmp(object->keys[i], *a) == 0;
    }
    if (!known) {
      return bad(c, object->items[i], "%s: unknown member \"%s\"", where, object->keys[i]);
    }
  }
  return 1;
}

int opt_int(struct ctx *c, const struct json_value *object, const char *key, const char *where, long long min,
                   long long max, long long fallback, long long *out) {
  const struct json_value *v = member(object, key);
  if (v == NULL) {
    *out = fallback;
    return 1;
  }
  if (v->type != JSON_NUMBER || !v->is_integer || v->integer < min || v->integer > max) {
    return bad(c, v, "%s.%s: expected an integer from %lld to %lld, found %s", where, key, min, max,
               v->type == JSON_NUMBER ? "another number" : json_type_name(v->type));
  }
  *out = v->integer;
  return 1;
}

int opt_string(struct ctx *c, const struct json_value *object, const char *key, const char *where, char *out,
                      size_t size, const char *fallback, int allow_spaces) {
  const struct json_value *v = member(object, key);
  if (v == NULL) {
    snprintf(out, size, "%s", fallback);
    return 1;
  }
  if (v->type != JSON_STRING) {
    return bad(c, v, "%s.%s: expected a string, found %s", where, key, json_type_name(v->type));
  }
  size_t length = strlen(v->string);
  if (length == 0 || length >= size || (!allow_spaces && strpbrk(v->string, " \t\r\n") != NULL)) {
    return bad(c, v, "%s.%s: expected 1 to %zu characters%s", where, key, size - 1,
               allow_spaces ? "" : " without spaces");
  }
  memcpy(out, v->string, length + 1);
  return 1;
}

int opt_pci_id(struct ctx *c, const struct json_value *object, const char *key, const char *where,
                      unsigned int fallback, unsigned int *out) {
  const struct json_value *v = member(object, key);
  *out = fallback;
  if (v == NULL) {
    return 1;
  }
  if (v->type == JSON_NUMBER && v->is_integer && v->integer >= 0 && v->integer <= 0xFFFFFFFFLL) {
    *out = (unsigned int)v->integer;
    return 1;
  }
  if (v->type == JSON_STRING && (strncmp(v->string, "0x", 2) == 0 || strncmp(v->string, "0X", 2) == 0) &&
      strlen(v->string) > 2 && strlen(v->string) <= 10 && strspn(v->string + 2, "0123456789abcdefABCDEF") ==
      strlen(v->string + 2)) {
    *out = (unsigned int)strtoul(v->string + 2, NULL, 16);
    return 1;
  }
  return bad(c, v, "%s.%s: expected a hex string like \"0x20B010DE\"", where, key);
}

static int hex_field(const char **p, size_t max_digits, unsigned long *out) {
  size_t digits = strspn(*p, "0123456789abcdefABCDEF");
  if (digits == 0 || digits > max_digits) {
    return 0;
  }
  *out = strtoul(*p, NULL, 16);
  *p += digits;
  return 1;
}

int parse_bus_id(const char *text, nvmlPciInfo_t *pci) {
  unsigned long domain, bus, device, function;
  const char *p = text;
  if (!hex_field(&p, 8, &domain) || *p++ != ':' || !hex_field(&p, 2, &bus) || *p++ != ':' ||
      !hex_field(&p, 2, &device) || device > 0x1F || *p++ != '.' || *p < '0' || *p > '7' || p[1] != '\0') {
    return 0;
  }
  function = (unsigned long)(*p - '0');
  pci->domain = (unsigned int)domain;
  pci->bus = (unsigned int)bus;
  pci->device = (unsigned int)device;
  snprintf(pci->busId, sizeof pci->busId, "%08lX:%02lX:%02lX.%lu", domain, bus, device, function);
  snprintf(pci->busIdLegacy, sizeof pci->busIdLegacy, "%04lX:%02lX:%02lX.%lu", domain & 0xFFFF, bus, device,
           function);
  return 1;
}

int parse_compute_capability(struct ctx *c, const struct json_value *object, const char *where,
                                    struct fake_gpu *gpu) {
  const struct json_value *v = member(object, "computeCapability");
  gpu->cc_major = 8;
  gpu->cc_minor = 0;
  if (v == NULL) {
    return 1;
  }
  char text[32];
  if (v->type == JSON_NUMBER) {
    snprintf(text, sizeof text, "%.1f", v->number);
  } else if (v->type == JSON_STRING && strlen(v->string) < sizeof text) {
    snprintf(text, sizeof text, "%s", v->string);
  } else {
    text[0] = '\0';
  }
  int major, minor, consumed = 0;
  if (sscanf(text, "%2d.%1d%n", &major, &minor, &consumed) != 2 || text[consumed] != '\0' || major < 1) {
    return bad(c, v, "%s.computeCapability: expected \"major.minor\" like \"8.0\"", where);
  }
  gpu->cc_major = major;
  gpu->cc_minor = minor;
  return 1;
}
