package io.kubeaccel.nvml;

/** MIG mode of a GPU: what is in force now and what applies after the next reset. */
public record MigMode(boolean current, boolean pending) {}
