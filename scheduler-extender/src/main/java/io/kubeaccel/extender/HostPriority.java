package io.kubeaccel.extender;

/** kube-scheduler's {@code HostPriority}: a node and its score, 0..10. */
record HostPriority(String host, int score) {}
