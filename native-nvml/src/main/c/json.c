/* JSON values, numbers, arrays and objects; strings are in json_string.c. */
#define _GNU_SOURCE
#include "json.h"


#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"

static struct json_value *parse_value(struct parser *ps);

void json_fail(struct parser *ps, const char *format, ...) {
  if (ps->failed) {
    return;
  }
  ps->failed = 1;
  int n = snprintf(ps->error, ps->error_size, "line %d: ", ps->line);
  if (n < 0 || (size_t)n >= ps->error_size) {
    return;
  }
  va_list args;
  va_start(args, format);
  vsnprintf(ps->error + n, ps->error_size - (size_t)n, format, args);
  va_end(args);
}

/* What the parser is looking at, for messages: a quoted character or "end of file". */
static const char *describe_next(const struct parser *ps, char *buffer, size_t size) {
  if (ps->p >= ps->end) {
    return "end of file";
  }
  unsigned char c = (unsigned char)*ps->p;
  if (c >= 0x20 && c < 0x7f) {
    snprintf(buffer, size, "'%c'", c);
  } else {
    snprintf(buffer, size, "byte 0x%02x", c);
  }
  return buffer;
}

static void skip_whitespace(struct parser *ps) {
  while (ps->p < ps->end) {
    char c = *ps->p;
    if (c == '\n') {
      ps->line++;
    } else if (c != ' ' && c != '\t' && c != '\r') {
      return;
    }
    ps->p++;
  }
}

static struct json_value *new_value(struct parser *ps, enum json_type type) {
  struct json_value *v = calloc(1, sizeof *v);
  if (v == NULL) {
    json_fail(ps, "out of memory");
    return NULL;
  }
  v->type = type;
  v->line = ps->line;
  return v;
}

static int match_literal(struct parser *ps, const char *literal) {
  size_t n = strlen(literal);
  if ((size_t)(ps->end - ps->p) >= n && memcmp(ps->p, literal, n) == 0) {
    ps->p += n;
    return 1;
  }
  return 0;
}

static struct json_value *parse_number(struct parser *ps) {
  const char *start = ps->p;
  const char *q = ps->p;
  int integral = 1;
  if (q < ps->end && *q == '-') {
    q++;
  }
  if (q < ps->end && *q == '0') {
    q++;
  } else if (q < ps->end && *q >= '1' && *q <= '9') {
    while (q < ps->end && *q >= '0' && *q <= '9') {
      q++;
    }
  } else {
    json_fail(ps, "invalid number");
    return NULL;
  }
  if (q < ps->end && *q == '.') {
    integral = 0;
    q++;
    if (q >= ps->end || *q < '0' || *q > '9') {
      json_fail(ps, "invalid number: digits expected after '.'");
      return NULL;
    }
    while (q < ps->end && *q >= '0' && *q <= '9') {
      q++;
    }
  }
  if (q < ps->end && (*q == 'e' || *q == 'E')) {
    integral = 0;
    q++;
    if (q < ps->end && (*q == '+' || *q == '-')) {
      q++;
    }
    if (q >= ps->end || *q < '0' || *q > '9') {
      json_fail(ps, "invalid number: digits expected in the exponent");
      return NULL;
    }
    while (q < ps->end && *q >= '0' && *q <= '9') {
      q++;
    }
  }
  char literal[64];
  if ((size_t)(q - start) >= sizeof literal) {
    json_fail(ps, "number too long");
    return NULL;
  }
  memcpy(literal, start, (size_t)(q - start));
  literal[q - start] = '\0';
  ps->p = q;
  struct json_value *v = new_value(ps, JSON_NUMBER);
  if (v == NULL) {
    return NULL;
  }
  v->number = strtod(literal, NULL);
  if (integral) {
    errno = 0;
    long long integer = strtoll(literal, NULL, 10);
    if (errno == 0) {
      v->is_integer = 1;
      v->integer = integer;
    }
  }
  return v;
}

static int push(struct parser *ps, struct json_value *container, struct json_value *item, char *key) {
  if ((container->count & (container->count - 1)) == 0) { /* capacity is the next power of two: grow at 0, 1, 2, 4 */
    size_t capacity = container->count == 0 ? 1 : container->count * 2;
    struct json_value **items = realloc(container->items, capacity * sizeof *items);
    if (items == NULL) {
      json_fail(ps, "out of memory");
      return 0;
    }
    container->items = items;
    if (container->type == JSON_OBJECT) {
      char **keys = realloc(container->keys, capacity * sizeof *keys);
      if (keys == NULL) {
        json_fail(ps, "out of memory");
        return 0;
      }
      container->keys = keys;
    }
  }
  container->items[container->count] = item;
  if (container->type == JSON_OBJECT) {
    container->keys[container->count] = key;
  }
  container->count++;
  return 1;
}

static struct json_value *parse_container(struct parser *ps, enum json_type type) {
  char close = type == JSON_ARRAY ? ']' : '}';
  char seen[16];
  struct json_value *v = new_value(ps, type);
  if (v == NULL) {
    return NULL;
  }
  if (++ps->depth > JSON_MAX_DEPTH) {
    json_fail(ps, "nesting deeper than %d", JSON_MAX_DEPTH);
    return v;
  }
  ps->p++;
  skip_whitespace(ps);
  if (ps->p < ps->end && *ps->p == close) {
    ps->p++;
    ps->depth--;
    return v;
  }
  while (!ps->failed) {
    char *key = NULL;
    skip_whitespace(ps);
    if (type == JSON_OBJECT) {
      if (ps->p >= ps->end || *ps->p != '"') {
        json_fail(ps, "expected a member name in double quotes, found %s", describe_next(ps, seen, sizeof seen));
        break;
      }
      key = json_parse_string_literal(ps);
      if (key == NULL) {
        break;
      }
      if (json_member(v, key) != NULL) {
        json_fail(ps, "duplicate member \"%s\"", key);
        free(key);
        break;
      }
      skip_whitespace(ps);
      if (ps->p >= ps->end || *ps->p != ':') {
        json_fail(ps, "expected ':' after member name \"%s\", found %s", key, describe_next(ps, seen, sizeof seen));
        free(key);
        break;
      }
      ps->p++;
    }
    struct json_value *item = parse_value(ps);
    if (item == NULL || !push(ps, v, item, key)) {
      json_free(item);
      free(key);
      break;
    }
    skip_whitespace(ps);
    if (ps->p < ps->end && *ps->p == ',') {
      ps->p++;
      skip_whitespace(ps);
      if (ps->p < ps->end && *ps->p == close) {
        json_fail(ps, "trailing comma before '%c'", close);
      }
      continue;
    }
    if (ps->p < ps->end && *ps->p == close) {
      ps->p++;
      ps->depth--;
      return v;
    }
    json_fail(ps, "expected ',' or '%c', found %s", close, describe_next(ps, seen, sizeof seen));
  }
  return v; /* the caller sees ps->failed and frees the partial tree */
}

static struct json_value *parse_value(struct parser *ps) {
  char seen[16];
  skip_whitespace(ps);
  if (ps->p >= ps->end) {
    json_fail(ps, "unexpected end of file, expected a value");
    return NULL;
  }
  switch (*ps->p) {
    case '{':
      return parse_container(ps, JSON_OBJECT);
    case '[':
      return parse_container(ps, JSON_ARRAY);
    case '"': {
      int line = ps->line;
      char *s = json_parse_string_literal(ps);
      struct json_value *v = s == NULL ? NULL : new_value(ps, JSON_STRING);
      if (v == NULL) {
        free(s);
        return NULL;
      }
      v->line = line;
      v->string = s;
      return v;
    }
    default:
      break;
  }
  if (*ps->p == '-' || (*ps->p >= '0' && *ps->p <= '9')) {
    return parse_number(ps);
  }
  int is_true = match_literal(ps, "true");
  if (is_true || match_literal(ps, "false")) {
    struct json_value *v = new_value(ps, JSON_BOOL);
    if (v != NULL) {
      v->boolean = is_true;
    }
    return v;
  }
  if (match_literal(ps, "null")) {
    return new_value(ps, JSON_NULL);
  }
  json_fail(ps, "expected a value, found %s", describe_next(ps, seen, sizeof seen));
  return NULL;
}

struct json_value *json_parse(const char *text, size_t length, char *error, size_t error_size) {
  struct parser ps = {text, text + length, 1, 0, error, error_size, 0};
  if (length >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) {
    ps.p += 3; /* a UTF-8 byte order mark, as some editors write */
  }
  struct json_value *root = parse_value(&ps);
  if (!ps.failed) {
    char seen[16];
    skip_whitespace(&ps);
    if (ps.p < ps.end) {
      json_fail(&ps, "unexpected %s after the end of the document", describe_next(&ps, seen, sizeof seen));
    }
  }
  if (ps.failed) {
    json_free(root);
    return NULL;
  }
  return root;
}

void json_free(struct json_value *value) {
  if (value == NULL) {
    return;
  }
  for (size_t i = 0; i < value->count; i++) {
    json_free(value->items[i]);
    if (value->keys != NULL) {
      free(value->keys[i]);
    }
  }
  free(value->items);
  free(value->keys);
  free(value->string);
  free(value);
}

const struct json_value *json_member(const struct json_value *object, const char *key) {
  if (object == NULL || object->type != JSON_OBJECT) {
    return NULL;
  }
  for (size_t i = 0; i < object->count; i++) {
    if (strcmp(object->keys[i], key) == 0) {
      return object->items[i];
    }
  }
  return NULL;
}

const char *json_type_name(enum json_type type) {
  switch (type) {
    case JSON_NULL:
      return "null";
    case JSON_BOOL:
      return "a boolean";
    case JSON_NUMBER:
      return "a number";
    case JSON_STRING:
      return "a string";
    case JSON_ARRAY:
      return "an array";
    case JSON_OBJECT:
      return "an object";
  }
  return "a value";
}
