/*
 * Internals of the fake libnvidia-ml.so.1: the simulated inventory, the run-time state and the functions the
 * NVML entry points share. Nothing here is exported (the library is built with -fvisibility=hidden), so several
 * copies of the library loaded from different directories never see each other's state.
 */
#ifndef KUBEACCEL_FAKE_NVML_H
#define KUBEACCEL_FAKE_NVML_H

#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "nvml_subset.h"

#define FAKE_MAX_GPUS 64
#define FAKE_LABEL_SIZE 64
#define FAKE_ERROR_SIZE (PATH_MAX + 512)
#define FAKE_SUPPORTED_EVENTS                                                                                   \
  (nvmlEventTypeSingleBitEccError | nvmlEventTypeDoubleBitEccError | nvmlEventTypeXidCriticalError |           \
   nvmlEventTypePState | nvmlEventTypeClock)
/* XID 79: "GPU has fallen off the bus", what the driver reports when a GPU is lost. */
#define FAKE_XID_FALLEN_OFF_BUS 79
/* What nvmlDeviceGetMaxMigDeviceCount reports for a GPU in MIG mode (A100, H100: 7 slices, one MIG device each). */
#define FAKE_MAX_MIG_DEVICES 7
#define FAKE_PROFILE_SIZE 32
/* Compute processes one device (GPU or MIG device) can list; a control line past this is refused. */
#define FAKE_MAX_PROCESSES 1024
/* gpuInstanceId / computeInstanceId of anything that is not a MIG device, as NVML reports them. */
#define FAKE_NO_INSTANCE 0xFFFFFFFFu

/* The NVML functions a failure rule can name; FAKE_FUNCTION_NAMES in nvml_errors.c lists them in this order. */
enum fake_function {
  FN_INIT,
  FN_SHUTDOWN,
  FN_DRIVER_VERSION,
  FN_CUDA_DRIVER_VERSION,
  FN_DEVICE_COUNT,
  FN_HANDLE_BY_INDEX,
  FN_HANDLE_BY_UUID,
  FN_UUID,
  FN_NAME,
  FN_MINOR,
  FN_PCI_INFO,
  FN_MEMORY_INFO,
  FN_COMPUTE_CAPABILITY,
  FN_MIG_MODE,
  FN_TOPOLOGY,
  FN_NVLINK_STATE,
  FN_NVLINK_REMOTE_PCI,
  FN_NVLINK_REMOTE_TYPE,
  FN_SUPPORTED_EVENTS,
  FN_EVENT_SET_CREATE,
  FN_REGISTER_EVENTS,
  FN_EVENT_SET_WAIT,
  FN_EVENT_SET_FREE,
  FN_MAX_MIG_DEVICE_COUNT,
  FN_MIG_HANDLE_BY_INDEX,
  FN_IS_MIG_HANDLE,
  FN_PARENT_OF_MIG,
  FN_GPU_INSTANCE_ID,
  FN_COMPUTE_INSTANCE_ID,
  FN_ATTRIBUTES,
  FN_GET_COMPUTE_MODE,
  FN_SET_COMPUTE_MODE,
  FN_UTILIZATION,
  FN_RUNNING_PROCESSES,    /* nvmlDeviceGetComputeRunningProcesses_v3 */
  FN_RUNNING_PROCESSES_V2, /* nvmlDeviceGetComputeRunningProcesses_v2 (R470 and older drivers' newest) */
  FN_RUNNING_PROCESSES_V1, /* nvmlDeviceGetComputeRunningProcesses (unversioned, nvmlProcessInfo_v1_t) */
  FN_PROCESS_UTILIZATION,
  FN_TEMPERATURE,
  FN_POWER_USAGE,
  FN_COUNT
};

enum fake_link_kind { LINK_NONE, LINK_PEER, LINK_SWITCH };

struct fake_link {
  enum fake_link_kind kind;
  int peer; /* GPU index for LINK_PEER */
};

/* A compute process on a GPU or MIG device, as the inventory and the proc/noproc control lines describe it. */
struct fake_process {
  unsigned int pid;
  unsigned long long used_mib;
  unsigned int sm_util;
  unsigned int mem_util;
  unsigned int enc_util;
  unsigned int dec_util;
};

struct fake_process_list {
  struct fake_process *items;
  int count;
  int capacity;
};

/* A MIG device (a compute instance inside a GPU instance). Its handle is its address in fake_inventory.migs. */
struct fake_mig {
  int gpu;  /* index of the parent GPU */
  int slot; /* the index nvmlDeviceGetMigDeviceHandleByIndex takes */
  char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
  char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE];
  char profile[FAKE_PROFILE_SIZE];
  unsigned int gpu_instance_id;
  unsigned int compute_instance_id;
  nvmlDeviceAttributes_t attributes; /* memorySizeMB is the device's memory */
  unsigned long long used_mib;
  struct fake_process_list processes;
};

struct fake_gpu {
  int index;
  char uuid[NVML_DEVICE_UUID_V2_BUFFER_SIZE];
  char name[NVML_DEVICE_NAME_V2_BUFFER_SIZE];
  unsigned int minor;
  nvmlPciInfo_t pci;
  unsigned long long memory_mib;
  unsigned long long used_mib;
  int numa_node;
  char pcie_switch[FAKE_LABEL_SIZE]; /* "" when null */
  char board[FAKE_LABEL_SIZE];       /* "" when null */
  int cc_major;
  int cc_minor;
  int mig; /* -1: not supported, else NVML_DEVICE_MIG_DISABLE / _ENABLE */
  int nvswitch_links;
  struct fake_link links[NVML_NVLINK_MAX_LINKS];
  int mig_first; /* its MIG devices are fake_inventory.migs[mig_first .. mig_first + mig_count) */
  int mig_count;
  /* Run-time values: set from the inventory at init, changed by control lines and nvmlDeviceSetComputeMode. */
  nvmlComputeMode_t compute_mode;
  unsigned int util_gpu;
  unsigned int util_memory;
  unsigned int temperature_c;
  unsigned int power_mw;
  struct fake_process_list processes; /* on the whole GPU; a GPU in MIG mode has them on its MIG devices */
};

struct fake_scripted_event {
  long long after_ms;
  int gpu;
  unsigned long long xid;
  int fired;
};

struct fake_failure {
  enum fake_function function;
  int gpu; /* index, or -1 for any */
  nvmlReturn_t code;
  unsigned long after_calls;
  unsigned long calls; /* matching calls let through so far */
};

struct fake_inventory {
  char driver_version[NVML_SYSTEM_DRIVER_VERSION_BUFFER_SIZE];
  int cuda_driver_version;
  int gpu_count;
  struct fake_gpu *gpus;
  int mig_count;
  struct fake_mig *migs; /* every GPU's MIG devices, grouped by GPU in index order */
  int *topology; /* gpu_count * gpu_count NVML levels, explicit or derived */
  int event_count;
  struct fake_scripted_event *events; /* sorted by after_ms */
  int failure_count;
  struct fake_failure *failures;
};

/* Everything that changes at run time; one instance per loaded copy of the library, guarded by lock. */
struct fake_state {
  pthread_mutex_t lock;
  pthread_cond_t changed; /* CLOCK_MONOTONIC; broadcast when an event is queued or a set is freed */
  int init_count;
  unsigned long successful_inits; /* over the process lifetime: lets "nvmlInit_v2" failures use afterCalls */
  struct fake_inventory inv;
  unsigned char *lost; /* per GPU */
  struct fake_failure *failures;
  size_t failure_count;
  size_t failure_capacity;
  struct timespec init_time;
  struct nvmlEventSet_st *sets;
  char inventory_path[PATH_MAX];
  char control_path[PATH_MAX];
  char compute_mode_path[PATH_MAX]; /* "compute-mode" beside the control file: the modes, for other processes */
  int compute_mode_dirty;           /* a compute mode changed since the file was last written */
  off_t control_offset;
  unsigned long control_line;
  int control_replaying;  /* re-reading the control file at init: past XIDs are history, not events */
  off_t control_warned_end; /* over the process lifetime: bad lines are reported once, not at every replay */
  char last_error[FAKE_ERROR_SIZE];
};

extern struct fake_state fake;

/* inventory.c: 0 on success; -1 file unreadable, -2 malformed. error gets one line naming file, line and problem. */
int fake_inventory_load(const char *path, struct fake_inventory *inv, char *error, size_t error_size);
void fake_inventory_free(struct fake_inventory *inv);

/* nvml_errors.c */
int fake_function_by_name(const char *name); /* -1 if unknown */
/* "GPU_IS_LOST" or "NVML_ERROR_GPU_IS_LOST" (any case; never SUCCESS); 0 if unknown. */
int fake_code_by_name(const char *name, nvmlReturn_t *code);

/* fake_state.c: all called with fake.lock held */
int fake_gpu_by_uuid(const char *uuid); /* -1 if unknown */
int fake_add_failure(enum fake_function function, int gpu, nvmlReturn_t code, unsigned long after_calls);
void fake_clear_failures(int function); /* -1: all */
/* The code a failure rule makes this call return, else NVML_SUCCESS; count_call counts it towards afterCalls. */
nvmlReturn_t fake_failure_for(enum fake_function function, int gpu, int count_call);
/* UNINITIALIZED before init; otherwise applies new control commands and due scripted events first. */
nvmlReturn_t fake_enter(void);
struct fake_gpu *fake_gpu_of(nvmlDevice_t device); /* NULL unless a GPU handle of the current inventory */
struct fake_mig *fake_mig_of(nvmlDevice_t device); /* NULL unless a MIG device handle of the current inventory */
int fake_mig_by_uuid(const char *uuid);            /* index into fake.inv.migs, -1 if unknown */
/*
 * fake_enter, then: a valid GPU or MIG device handle (else INVALID_ARGUMENT), its GPU not lost (GPU_IS_LOST), no
 * failure rule for its GPU. *gpu is the GPU (the parent for a MIG device), *mig the MIG device or NULL.
 */
nvmlReturn_t fake_enter_handle(enum fake_function function, nvmlDevice_t device, struct fake_gpu **gpu,
                               struct fake_mig **mig);
/* fake_enter_handle for calls about whole GPUs only: a MIG device handle gets NOT_SUPPORTED. */
nvmlReturn_t fake_enter_device(enum fake_function function, nvmlDevice_t device, struct fake_gpu **gpu);
long long fake_elapsed_ms(void); /* since the first nvmlInit */
/* NVML's string-out convention: INVALID_ARGUMENT for NULL, INSUFFICIENT_SIZE when length cannot hold it. */
nvmlReturn_t fake_copy_string(const char *value, char *out, unsigned int length);

/* control.c */
void fake_control_poll(void);
/* Appends one line to the control file (O_APPEND: other processes see it whole); 0 if it cannot be written. */
int fake_control_append(const char *line);

/* processes.c */
/* Adds the process or replaces the one with its pid; 0 when the list is full or out of memory. */
int fake_process_put(struct fake_process_list *list, struct fake_process process);
int fake_process_remove(struct fake_process_list *list, unsigned int pid); /* how many were removed */
void fake_process_list_free(struct fake_process_list *list);

/* nvml_compute_mode.c */
const char *fake_compute_mode_name(nvmlComputeMode_t mode);
int fake_compute_mode_by_name(const char *name, nvmlComputeMode_t *mode); /* a name or its number; 0 if neither */
/* Sets a GPU's mode; a change (outside a replay) marks the compute-mode file for rewriting. */
void fake_compute_mode_apply(int gpu, nvmlComputeMode_t mode);
/* Reads the control file to its end and writes every GPU's mode to fake.compute_mode_path (atomically). */
void fake_compute_mode_publish(void);

/* nvml_events.c */
void fake_events_pump(void);
void fake_events_dispatch(int gpu, unsigned long long type, unsigned long long data);
/* An event about one MIG device: delivered to sets that registered its GPU, carrying the instance ids. */
void fake_events_dispatch_instance(int gpu, unsigned int gpu_instance_id, unsigned int compute_instance_id,
                                   unsigned long long type, unsigned long long data);
void fake_events_free_all(void);

#endif
