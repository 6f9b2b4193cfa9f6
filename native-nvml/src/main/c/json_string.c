/* JSON string literals: escapes, \\uXXXX sequences and surrogate pairs, decoded to UTF-8. */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "json_internal.h"

static void append_utf8(char *out, size_t *len, unsigned long cp) {
  if (cp < 0x80) {
    out[(*len)++] = (char)cp;
  } else if (cp < 0x800) {
    out[(*len)++] = (char)(0xC0 | (cp >> 6));
    out[(*len)++] = (char)(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out[(*len)++] = (char)(0xE0 | (cp >> 12));
    out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*len)++] = (char)(0x80 | (cp & 0x3F));
  } else {
    out[(*len)++] = (char)(0xF0 | (cp >> 18));
    out[(*len)++] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[(*len)++] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[(*len)++] = (char)(0x80 | (cp & 0x3F));
  }
}

static int read_hex4(struct parser *ps, unsigned long *out) {
  if (ps->end - ps->p < 4) {
    return 0;
  }
  unsigned long value = 0;
  for (int i = 0; i < 4; i++) {
    char c = ps->p[i];
    int digit;
    if (c >= '0' && c <= '9') {
      digit = c - '0';
    } else if (c >= 'a' && c <= 'f') {
      digit = c - 'a' + 10;
    } else if (c >= 'A' && c <= 'F') {
      digit = c - 'A' + 10;
    } else {
      return 0;
    }
    value = value * 16 + (unsigned long)digit;
  }
  ps->p += 4;
  *out = value;
  return 1;
}

char *json_parse_string_literal(struct parser *ps) {
  ps->p++; /* opening quote */
  /* Decoded text is never longer than the literal, so one allocation of the remaining length is enough. */
  const char *close = ps->p;
  while (close < ps->end && *close != '"') {
    close += (*close == '\\' && close + 1 < ps->end) ? 2 : 1;
  }
  char *out = malloc((size_t)(close - ps->p) + 1);
  if (out == NULL) {
    json_fail(ps, "out of memory");
    return NULL;
  }
  size_t len = 0;
  for (;;) {
    if (ps->p >= ps->end) {
      json_fail(ps, "unterminated string");
      break;
    }
    unsigned char c = (unsigned char)*ps->p++;
    if (c == '"') {
      out[len] = '\0';
      return out;
    }
    if (c < 0x20) {
      json_fail(ps, c == '\n' ? "line break inside a string" : "control character 0x%02x inside a string", c);
      break;
    }
    if (c != '\\') {
      out[len++] = (char)c;
      continue;
    }
    if (ps->p >= ps->end) {
      json_fail(ps, "unterminated string");
      break;
    }
    char e = *ps->p++;
    const char *simple = strchr("\"\\/bfnrt", e);
    if (simple != NULL && e != '\0') {
      static const char decoded[] = "\"\\/\b\f\n\r\t";
      out[len++] = decoded[simple - "\"\\/bfnrt"];
      continue;
    }
    unsigned long cp;
    if (e != 'u' || !read_hex4(ps, &cp)) {
      json_fail(ps, "invalid escape sequence in a string");
      break;
    }
    if (cp >= 0xD800 && cp <= 0xDBFF) {
      unsigned long low;
      if (!(ps->end - ps->p >= 2 && ps->p[0] == '\\' && ps->p[1] == 'u' && (ps->p += 2, read_hex4(ps, &low)) &&
            low >= 0xDC00 && low <= 0xDFFF)) {
        json_fail(ps, "unpaired UTF-16 surrogate in a string");
        break;
      }
      cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    } else if ((cp >= 0xDC00 && cp <= 0xDFFF) || cp == 0) {
      json_fail(ps, cp == 0 ? "\\u0000 is not allowed in a string" : "unpaired UTF-16 surrogate in a string");
      break;
    }
    append_utf8(out, &len, cp); /* at most 4 bytes, never more than the 6- or 12-byte escape it replaces */
  }
  free(out);
  return NULL;
}
