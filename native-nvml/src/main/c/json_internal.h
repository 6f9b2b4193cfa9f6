/* Shared between the JSON parser's files; not part of json.h. */
#ifndef KUBEACCEL_JSON_INTERNAL_H
#define KUBEACCEL_JSON_INTERNAL_H

#include <stddef.h>

#define JSON_MAX_DEPTH 64

struct parser {
  const char *p;
  const char *end;
  int line;
  int depth;
  char *error;
  size_t error_size;
  int failed;
};

/* Records "line N: message" for the first error only; later ones are consequences. */
void json_fail(struct parser *ps, const char *format, ...) __attribute__((format(printf, 2, 3)));

/* Parses a string literal at ps->p (on the opening quote) into a fresh NUL-terminated buffer; NULL on error. */
char *json_parse_string_literal(struct parser *ps);

#endif
