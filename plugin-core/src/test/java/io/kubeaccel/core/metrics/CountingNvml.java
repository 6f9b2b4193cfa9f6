package io.kubeaccel.core.metrics;

import io.kubeaccel.nvml.Nvml;
import io.kubeaccel.nvml.NvmlDevice;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.util.concurrent.atomic.AtomicInteger;

/** Wraps NVML (and every device it hands out) to count the calls made through it. */
final class CountingNvml {

  final AtomicInteger calls = new AtomicInteger();
  final AtomicInteger opens = new AtomicInteger();

  private CountingNvml() {}

  static CountingNvml create() {
    return new CountingNvml();
  }

  /** An opener that opens the real library and counts what is asked of it. */
  NvmlSampler.NvmlOpener opener(NvmlSampler.NvmlOpener real) {
    return () -> {
      opens.incrementAndGet();
      return wrap(Nvml.class, real.open());
    };
  }

  private <T> T wrap(Class<T> type, T target) {
    InvocationHandler handler = (proxy, method, args) -> {
      if (method.getDeclaringClass() == Object.class) {
        return method.invoke(target, args);
      }
      calls.incrementAndGet();
      Object result;
      try {
        result = method.invoke(target, args);
      } catch (InvocationTargetException e) {
        throw e.getCause();
      }
      return result instanceof NvmlDevice device ? wrap(NvmlDevice.class, device) : result;
    };
    return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler));
  }
}
