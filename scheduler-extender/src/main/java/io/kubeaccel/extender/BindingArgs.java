package io.kubeaccel.extender;

/** kube-scheduler's {@code ExtenderBindingArgs}: which pod to bind to which node. */
record BindingArgs(String podName, String podNamespace, String podUid, String node) {}
