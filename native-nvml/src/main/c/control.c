/*
 * The control file: commands appended to it (by tests, `simulate`, or a shell) take effect on the next NVML call.
 * Each call compares the file size with what was already read, so the cost is one stat() while nothing changes.
 *
 *   xid <uuid> <n>                      an XID event on that GPU
 *   fail <function> <uuid|*> <CODE>     the function fails with NVML_ERROR_<CODE> from now on
 *   clear <function|*>                  removes failures (the inventory's too)
 *   lost <uuid>                         an XID 79, then GPU_IS_LOST from every call about that GPU
 *   recover <uuid>                      undoes lost
 *
 * At nvmlInit the whole file is replayed so lasting state (fail, clear, lost, recover) survives an agent restart;
 * xid lines from before the init are history and are skipped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fake_nvml.h"

#define CHUNK 16384
#define MAX_WORDS 5

/* End offset of the line being run; lines ending at or before fake.control_warned_end were reported already. */
static off_t line_end;

static void warn(const char *message, const char *word) {
  if (line_end <= fake.control_warned_end || getenv("KUBEACCEL_FAKE_NVML_QUIET") != NULL) {
    return; /* replayed at a later init: said once is enough */
  }
  fprintf(stderr, "kubeaccel fake NVML: %s:%lu: %s%s%s%s; line ignored\n", fake.control_path, fake.control_line,
          message, word ? " \"" : "", word ? word : "", word ? "\"" : "");
}

/* The GPU index for a uuid word, warning about unknown ones. */
static int gpu_word(const char *word) {
  int gpu = fake_gpu_by_uuid(word);
  if (gpu < 0) {
    warn("no GPU with uuid", word);
  }
  return gpu;
}

static void run_command(char **w, int n) {
  int gpu;
  if (strcmp(w[0], "xid") == 0 && n == 3) {
    char *end;
    errno = 0;
    unsigned long long xid = strtoull(w[2], &end, 10);
    if (*end != '\0' || errno != 0 || xid > 0xFFFFFFFFULL || w[2][0] == '-') {
      warn("not an XID number:", w[2]);
    } else if ((gpu = gpu_word(w[1])) >= 0 && !fake.control_replaying) {
      fake_events_dispatch(gpu, nvmlEventTypeXidCriticalError, xid);
    }
  } else if (strcmp(w[0], "fail") == 0 && n == 4) {
    int function = fake_function_by_name(w[1]);
    nvmlReturn_t code;
    gpu = strcmp(w[2], "*") == 0 ? -1 : gpu_word(w[2]);
    if (function < 0) {
      warn("unknown NVML function", w[1]);
    } else if (!fake_code_by_name(w[3], &code)) {
      warn("unknown NVML error code", w[3]);
    } else if (gpu >= 0 || strcmp(w[2], "*") == 0) {
      fake_add_failure((enum fake_function)function, gpu, code, 0);
    }
  } else if (strcmp(w[0], "clear") == 0 && n == 2) {
    int function = strcmp(w[1], "*") == 0 ? -1 : fake_function_by_name(w[1]);
    if (function < 0 && strcmp(w[1], "*") != 0) {
      warn("unknown NVML function", w[1]);
    } else {
      fake_clear_failures(function);
    }
  } else if (strcmp(w[0], "lost") == 0 && n == 2) {
    if ((gpu = gpu_word(w[1])) >= 0 && !fake.lost[gpu]) {
      fake.lost[gpu] = 1;
      if (!fake.control_replaying) {
        fake_events_dispatch(gpu, nvmlEventTypeXidCriticalError, FAKE_XID_FALLEN_OFF_BUS);
      }
    }
  } else if (strcmp(w[0], "recover") == 0 && n == 2) {
    if ((gpu = gpu_word(w[1])) >= 0) {
      fake.lost[gpu] = 0;
    }
  } else {
    warn("expected xid <uuid> <n> | fail <function> <uuid|*> <CODE> | clear <function|*> | lost <uuid> | "
         "recover <uuid>, found", w[0]);
  }
}

static void run_line(char *line) {
  char *words[MAX_WORDS + 1];
  int n = 0;
  fake.control_line++;
  for (char *save = NULL, *word = strtok_r(line, " \t\r", &save); word != NULL && n <= MAX_WORDS;
       word = strtok_r(NULL, " \t\r", &save)) {
    words[n++] = word;
  }
  if (n == 0 || words[0][0] == '#') {
    return; /* blank line or comment */
  }
  run_command(words, n);
}

void fake_control_poll(void) {
  struct stat st;
  if (fake.control_path[0] == '\0' || stat(fake.control_path, &st) != 0) {
    return;
  }
  if (st.st_size < fake.control_offset) {
    fake.control_offset = 0; /* truncated: a new script, read it from the start */
    fake.control_line = 0;
    fake.control_warned_end = 0;
  }
  if (st.st_size == fake.control_offset) {
    return;
  }
  int fd = open(fake.control_path, O_RDONLY | O_CLOEXEC);
  char *chunk = fd < 0 ? NULL : malloc(CHUNK + 1);
  while (chunk != NULL) {
    ssize_t n = pread(fd, chunk, CHUNK, fake.control_offset);
    if (n <= 0) {
      break;
    }
    chunk[n] = '\0';
    char *last_newline = memrchr(chunk, '\n', (size_t)n);
    if (last_newline == NULL) {
      if (n == CHUNK) { /* a "line" longer than any command: skip it rather than stall forever */
        fake.control_offset += n;
        fake.control_line++;
        continue;
      }
      break; /* a command still being written: wait for its newline */
    }
    *last_newline = '\0';
    off_t chunk_start = fake.control_offset;
    fake.control_offset += last_newline - chunk + 1;
    for (char *line = chunk; line != NULL;) { /* every line counts, blank ones too, so warnings name the right one */
      char *newline = strchr(line, '\n');
      if (newline != NULL) {
        *newline = '\0';
      }
      line_end = chunk_start + (newline == NULL ? last_newline : newline) - chunk + 1;
      run_line(line);
      if (line_end > fake.control_warned_end) {
        fake.control_warned_end = line_end;
      }
      line = newline == NULL ? NULL : newline + 1;
    }
  }
  free(chunk);
  if (fd >= 0) {
    close(fd);
  }
}
