package io.kubeaccel.pgpu.config;

/**
 * Invalid configuration: a config file entry, an environment variable or a flag. The message says where (file and
 * line, or the variable or flag), which key, and what is allowed; the agent does not start on it.
 */
public class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  public ConfigException(String message) {
    super(message);
  }
}
