/*
 * Event sets: scripted XIDs fire when their time comes (checked on every call), control-file XIDs when the line is
 * read. Each is queued on every set that registered the event type for that GPU at that moment, as NVML does.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "fake_nvml.h"

/* Waiters re-check the control file and the clock this often, so an injected event arrives within milliseconds. */
#define WAIT_SLICE_NS (2 * 1000000LL)
/* A set nobody waits on must not grow without bound: past this the oldest events are dropped. */
#define QUEUE_LIMIT 4096

struct queued_event {
  int gpu;
  unsigned long long type;
  unsigned long long data;
  unsigned int gpu_instance_id;     /* FAKE_NO_INSTANCE unless about a MIG device */
  unsigned int compute_instance_id;
};

struct nvmlEventSet_st {
  struct nvmlEventSet_st *next;
  unsigned long long masks[FAKE_MAX_GPUS]; /* registered event types per GPU index */
  struct queued_event *queue;              /* pending events are queue[head..tail) */
  size_t head;
  size_t tail;
  size_t capacity;
  int waiters; /* threads inside nvmlEventSetWait_v2 on this set */
  int dead;    /* freed (or NVML shut down) while waited on: the last waiter frees the memory */
};

static void destroy(struct nvmlEventSet_st *set) {
  free(set->queue);
  free(set);
}

static struct nvmlEventSet_st *set_of(nvmlEventSet_t handle) {
  for (struct nvmlEventSet_st *set = fake.sets; set != NULL; set = set->next) {
    if (set == handle) {
      return set;
    }
  }
  return NULL;
}

static void release(struct nvmlEventSet_st *set) {
  for (struct nvmlEventSet_st **link = &fake.sets; *link != NULL; link = &(*link)->next) {
    if (*link == set) {
      *link = set->next;
      break;
    }
  }
  if (set->waiters > 0) {
    set->dead = 1;
    pthread_cond_broadcast(&fake.changed);
  } else {
    destroy(set);
  }
}

static void enqueue(struct nvmlEventSet_st *set, struct queued_event event) {
  if (set->tail == set->capacity && set->head > 0) {
    memmove(set->queue, set->queue + set->head, (set->tail - set->head) * sizeof *set->queue);
    set->tail -= set->head;
    set->head = 0;
  }
  if (set->tail == set->capacity) {
    size_t capacity = set->capacity == 0 ? 16 : set->capacity * 2;
    struct queued_event *grown = capacity <= QUEUE_LIMIT ? realloc(set->queue, capacity * sizeof *grown) : NULL;
    if (grown == NULL) {
      if (set->tail > set->head) {
        set->head++; /* full (or out of memory): drop the oldest, keep the newest */
        enqueue(set, event);
      }
      return;
    }
    set->queue = grown;
    set->capacity = capacity;
  }
  set->queue[set->tail++] = event;
}

void fake_events_dispatch_instance(int gpu, unsigned int gpu_instance_id, unsigned int compute_instance_id,
                                   unsigned long long type, unsigned long long data) {
  for (struct nvmlEventSet_st *set = fake.sets; set != NULL; set = set->next) {
    if (set->masks[gpu] & type) {
      enqueue(set, (struct queued_event){gpu, type, data, gpu_instance_id, compute_instance_id});
    }
  }
  pthread_cond_broadcast(&fake.changed);
}

void fake_events_dispatch(int gpu, unsigned long long type, unsigned long long data) {
  fake_events_dispatch_instance(gpu, FAKE_NO_INSTANCE, FAKE_NO_INSTANCE, type, data);
}

void fake_events_pump(void) {
  if (fake.inv.event_count == 0) {
    return;
  }
  long long elapsed = fake_elapsed_ms();
  for (int i = 0; i < fake.inv.event_count && fake.inv.events[i].after_ms <= elapsed; i++) {
    struct fake_scripted_event *event = &fake.inv.events[i];
    if (!event->fired) {
      event->fired = 1;
      fake_events_dispatch(event->gpu, nvmlEventTypeXidCriticalError, event->xid);
    }
  }
}

void fake_events_free_all(void) {
  while (fake.sets != NULL) {
    release(fake.sets);
  }
}

NVML_API nvmlReturn_t nvmlEventSetCreate(nvmlEventSet_t *set) {
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter();
  rc = rc == NVML_SUCCESS ? fake_failure_for(FN_EVENT_SET_CREATE, -1, 1) : rc;
  if (rc == NVML_SUCCESS && set == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    struct nvmlEventSet_st *created = calloc(1, sizeof *created);
    if (created == NULL) {
      rc = NVML_ERROR_MEMORY;
    } else {
      created->next = fake.sets;
      fake.sets = created;
      *set = created;
    }
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

NVML_API nvmlReturn_t nvmlDeviceRegisterEvents(nvmlDevice_t device, unsigned long long eventTypes, nvmlEventSet_t set) {
  struct fake_gpu *gpu;
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter_device(FN_REGISTER_EVENTS, device, &gpu);
  struct nvmlEventSet_st *registered = rc == NVML_SUCCESS ? set_of(set) : NULL;
  if (rc == NVML_SUCCESS && registered == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS && (eventTypes & ~(unsigned long long)FAKE_SUPPORTED_EVENTS) != 0) {
    rc = NVML_ERROR_NOT_SUPPORTED;
  } else if (rc == NVML_SUCCESS) {
    registered->masks[gpu->index] |= eventTypes;
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

NVML_API nvmlReturn_t nvmlEventSetFree(nvmlEventSet_t set) {
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter();
  rc = rc == NVML_SUCCESS ? fake_failure_for(FN_EVENT_SET_FREE, -1, 1) : rc;
  struct nvmlEventSet_st *freed = rc == NVML_SUCCESS ? set_of(set) : NULL;
  if (rc == NVML_SUCCESS && freed == NULL) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  } else if (rc == NVML_SUCCESS) {
    release(freed);
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}

static long long monotonic_ns(void) {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* Sleeps on the condition for one slice at most; the caller re-checks everything after. */
static void wait_slice(long long remaining_ns) {
  long long wake = monotonic_ns() + (remaining_ns < WAIT_SLICE_NS ? remaining_ns : WAIT_SLICE_NS);
  struct timespec until = {(time_t)(wake / 1000000000LL), (long)(wake % 1000000000LL)};
  pthread_cond_timedwait(&fake.changed, &fake.lock, &until);
}

NVML_API nvmlReturn_t nvmlEventSetWait_v2(nvmlEventSet_t set, nvmlEventData_t *data, unsigned int timeoutms) {
  pthread_mutex_lock(&fake.lock);
  nvmlReturn_t rc = fake_enter();
  rc = rc == NVML_SUCCESS ? fake_failure_for(FN_EVENT_SET_WAIT, -1, 1) : rc;
  struct nvmlEventSet_st *waited = rc == NVML_SUCCESS ? set_of(set) : NULL;
  if (rc == NVML_SUCCESS && (waited == NULL || data == NULL)) {
    rc = NVML_ERROR_INVALID_ARGUMENT;
  }
  if (rc != NVML_SUCCESS) {
    pthread_mutex_unlock(&fake.lock);
    return rc;
  }
  long long deadline = monotonic_ns() + (long long)timeoutms * 1000000LL;
  waited->waiters++;
  for (;;) {
    if (waited->dead) {
      rc = fake.init_count == 0 ? NVML_ERROR_UNINITIALIZED : NVML_ERROR_INVALID_ARGUMENT;
      break;
    }
    fake_control_poll();
    fake_events_pump();
    if (fake.compute_mode_dirty) {
      fake_compute_mode_publish();
    }
    rc = fake_failure_for(FN_EVENT_SET_WAIT, -1, 0); /* a failure injected while waiting ends the wait */
    if (rc != NVML_SUCCESS) {
      break;
    }
    if (waited->head < waited->tail) {
      struct queued_event event = waited->queue[waited->head++];
      memset(data, 0, sizeof *data);
      data->device = (nvmlDevice_t)&fake.inv.gpus[event.gpu];
      data->eventType = event.type;
      data->eventData = event.data;
      data->gpuInstanceId = event.gpu_instance_id; /* 0xFFFFFFFF: the whole GPU, not one MIG device */
      data->computeInstanceId = event.compute_instance_id;
      break;
    }
    long long remaining = deadline - monotonic_ns();
    if (remaining <= 0) {
      rc = NVML_ERROR_TIMEOUT;
      break;
    }
    wait_slice(remaining);
  }
  if (--waited->waiters == 0 && waited->dead) {
    destroy(waited);
  }
  pthread_mutex_unlock(&fake.lock);
  return rc;
}
