package io.kubeaccel.agent;

import picocli.CommandLine.IVersionProvider;

/** The version baked into the jar's manifest by the build, or "development" when run from classes. */
final class Version implements IVersionProvider {

  static String current() {
    String version = Version.class.getPackage().getImplementationVersion();
    return version != null ? version : "development";
  }

  @Override
  public String[] getVersion() {
    return new String[] {"kubeaccel " + current()};
  }
}
