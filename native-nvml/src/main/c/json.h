/* A small strict JSON (RFC 8259) parser producing a tree whose nodes know their source line, for error messages. */
#ifndef KUBEACCEL_JSON_H
#define KUBEACCEL_JSON_H

#include <stddef.h>

enum json_type { JSON_NULL, JSON_BOOL, JSON_NUMBER, JSON_STRING, JSON_ARRAY, JSON_OBJECT };

struct json_value {
  enum json_type type;
  int line;
  int boolean;
  double number;
  int is_integer;      /* the literal had no fraction or exponent and fits a long long */
  long long integer;
  char *string;        /* NUL-terminated; JSON escapes decoded to UTF-8, \u0000 rejected */
  size_t count;        /* items of an array, members of an object */
  struct json_value **items;
  char **keys;         /* object member names, parallel to items */
};

/*
 * Parses text[0..length). On failure returns NULL and writes "line N: what was wrong" to error. Objects with
 * duplicate member names and nesting deeper than 64 are rejected.
 */
struct json_value *json_parse(const char *text, size_t length, char *error, size_t error_size);

void json_free(struct json_value *value);

/* The member of an object named key, or NULL. */
const struct json_value *json_member(const struct json_value *object, const char *key);

/* "null", "a boolean", ... for messages. */
const char *json_type_name(enum json_type type);

#endif
