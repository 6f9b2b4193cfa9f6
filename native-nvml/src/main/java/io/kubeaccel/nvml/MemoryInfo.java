package io.kubeaccel.nvml;

/** Framebuffer memory in bytes ({@code nvmlMemory_t}); NVML's unsigned values fit a Java long for any real GPU. */
public record MemoryInfo(long total, long free, long used) {}
