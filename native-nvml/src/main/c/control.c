/*
 * The control file: commands appended to it (by tests, `simulate`, or a shell) take effect on the next NVML call.
 * Each call compares the file size with what was already read, so the cost is one stat() while nothing changes.
 *
 *   xid <uuid> <n>                      an XID event on that GPU
 *   fail <function> <uuid|*> <CODE>     the function fails with NVML_ERROR_<CODE> from now on
 *   clear <function|*>                  removes failures (the inventory's too)
 *   lost <uuid>                         an XID 79, then GPU_IS_LOST from every call about that GPU
 *   recover <uuid>                      undoes lost
 *   util <uuid> <gpu%> <memory%>        nvmlDeviceGetUtilizationRates
 *   temp <uuid> <celsius>               nvmlDeviceGetTemperature
 *   power <uuid> <watts>                nvmlDeviceGetPowerUsage (decimals allowed)
 *   proc <uuid> <pid> <usedMiB> [<sm%> [<mem%>]]   adds or replaces a compute process (uuid: a GPU or MIG device)
 *   noproc <uuid> <pid|*>               removes it (or all of the device's)
 *   computemode <uuid> <MODE>           the GPU's compute mode; nvmlDeviceSetComputeMode writes these lines itself
 *
 * At nvmlInit the whole file is replayed so lasting state (everything but xid) survives an agent restart; xid lines
 * from before the init are history and are skipped.
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
#define MAX_WORDS 6

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

/* A GPU or MIG device uuid: *gpu is the GPU (the parent of a MIG device), *mig the MIG device or NULL. */
static int device_word(const char *word, int *gpu, struct fake_mig **mig) {
  int index = fake_mig_by_uuid(word);
  *mig = index >= 0 ? &fake.inv.migs[index] : NULL;
  *gpu = *mig != NULL ? (*mig)->gpu : fake_gpu_by_uuid(word);
  if (*gpu < 0) {
    warn("no GPU or MIG device with uuid", word);
  }
  return *gpu >= 0;
}

/* An unsigned decimal of at most max, or -1 (after a warning naming what was expected). */
static long long number_word(const char *word, unsigned long long max, const char *what) {
  char *end;
  errno = 0;
  unsigned long long value = strtoull(word, &end, 10);
  if (*end != '\0' || errno != 0 || value > max || word[0] == '-' || word[0] == '+' || word[0] == '\0') {
    warn(what, word);
    return -1;
  }
  return (long long)value;
}

static void run_proc(char **w, int n) {
  int gpu;
  struct fake_mig *mig;
  long long pid = number_word(w[2], 0xFFFFFFFFULL, "not a process id:");
  long long used = pid > 0 ? number_word(w[3], 1ULL << 40, "not a number of MiB:") : -1;
  long long sm = used >= 0 && n > 4 ? number_word(w[4], 100, "not a percentage:") : 0;
  long long mem = sm >= 0 && n > 5 ? number_word(w[5], 100, "not a percentage:") : 0;
  if (pid <= 0 || used < 0 || sm < 0 || mem < 0 || !device_word(w[1], &gpu, &mig)) {
    return;
  }
  if (mig == NULL && fake.inv.gpus[gpu].mig == NVML_DEVICE_MIG_ENABLE) {
    warn("the GPU is in MIG mode, so its processes run on MIG devices: name one of those, not", w[1]);
    return;
  }
  struct fake_process process = {(unsigned int)pid, (unsigned long long)used, (unsigned int)sm, (unsigned int)mem,
                                 0, 0};
  if (!fake_process_put(mig != NULL ? &mig->processes : &fake.inv.gpus[gpu].processes, process)) {
    warn("too many processes on", w[1]);
  }
}

static void run_device_command(char **w, int n) {
  int gpu;
  struct fake_mig *mig;
  if (strcmp(w[0], "xid") == 0 && n == 3) {
    long long xid = number_word(w[2], 0xFFFFFFFFULL, "not an XID number:");
    if (xid >= 0 && device_word(w[1], &gpu, &mig) && !fake.control_replaying) {
      fake_events_dispatch_instance(gpu, mig != NULL ? mig->gpu_instance_id : FAKE_NO_INSTANCE,
                                    mig != NULL ? mig->compute_instance_id : FAKE_NO_INSTANCE,
                                    nvmlEventTypeXidCriticalError, (unsigned long long)xid);
    }
  } else if (strcmp(w[0], "proc") == 0 && (n == 4 || n == 5 || n == 6)) {
    run_proc(w, n);
  } else if (strcmp(w[0], "noproc") == 0 && n == 3) {
    int all = strcmp(w[2], "*") == 0;
    long long pid = all ? 0 : number_word(w[2], 0xFFFFFFFFULL, "not a process id or *:");
    if (pid >= 0 && device_word(w[1], &gpu, &mig)) {
      struct fake_process_list *list = mig != NULL ? &mig->processes : &fake.inv.gpus[gpu].processes;
      if (all) {
        list->count = 0;
      } else {
        fake_process_remove(list, (unsigned int)pid);
      }
    }
  } else if (strcmp(w[0], "util") == 0 && n == 4) {
    long long busy = number_word(w[2], 100, "not a percentage:");
    long long memory = busy >= 0 ? number_word(w[3], 100, "not a percentage:") : -1;
    if (memory >= 0 && (gpu = gpu_word(w[1])) >= 0) {
      fake.inv.gpus[gpu].util_gpu = (unsigned int)busy;
      fake.inv.gpus[gpu].util_memory = (unsigned int)memory;
    }
  } else if (strcmp(w[0], "temp") == 0 && n == 3) {
    long long celsius = number_word(w[2], 200, "not a temperature from 0 to 200 C:");
    if (celsius >= 0 && (gpu = gpu_word(w[1])) >= 0) {
      fake.inv.gpus[gpu].temperature_c = (unsigned int)celsius;
    }
  } else if (strcmp(w[0], "power") == 0 && n == 3) {
    char *end;
    double watts = strtod(w[2], &end);
    if (*end != '\0' || end == w[2] || !(watts >= 0 && watts <= 100000)) {
      warn("not a number of watts from 0 to 100000:", w[2]);
    } else if ((gpu = gpu_word(w[1])) >= 0) {
      fake.inv.gpus[gpu].power_mw = (unsigned int)(watts * 1000.0 + 0.5);
    }
  } else if (strcmp(w[0], "computemode") == 0 && n == 3) {
    nvmlComputeMode_t mode;
    if (!fake_compute_mode_by_name(w[2], &mode) || mode == NVML_COMPUTEMODE_EXCLUSIVE_THREAD) {
      warn("not a compute mode (DEFAULT, PROHIBITED or EXCLUSIVE_PROCESS):", w[2]);
    } else if ((gpu = gpu_word(w[1])) >= 0) {
      fake_compute_mode_apply(gpu, mode);
    }
  } else {
    warn("expected xid <uuid> <n> | fail <function> <uuid|*> <CODE> | clear <function|*> | lost <uuid> | "
         "recover <uuid> | util <uuid> <gpu%> <mem%> | temp <uuid> <C> | power <uuid> <W> | "
         "proc <uuid> <pid> <usedMiB> [<sm%> [<mem%>]] | noproc <uuid> <pid|*> | computemode <uuid> <MODE>, found",
         w[0]);
  }
}

static void run_command(char **w, int n) {
  int gpu;
  if (strcmp(w[0], "fail") == 0 && n == 4) {
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
    run_device_command(w, n);
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

int fake_control_append(const char *line) {
  char buffer[512];
  int length = snprintf(buffer, sizeof buffer, "%s\n", line);
  int fd = fake.control_path[0] == '\0' || length >= (int)sizeof buffer
               ? -1
               : open(fake.control_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  if (fd < 0) {
    return 0;
  }
  ssize_t written = write(fd, buffer, (size_t)length);
  close(fd);
  return written == length;
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
