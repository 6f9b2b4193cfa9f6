package io.kubeaccel.testkit;

import io.kubeaccel.proto.deviceplugin.v1beta1.RegisterRequest;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The checks the kubelet makes on a Register call before it dials the plugin, with the kubelet's own wording (it
 * returns them as plain Go errors, which reach the plugin as gRPC {@code UNKNOWN}).
 */
final class RegisterRequestRules {

  static final String SUPPORTED_VERSION = "v1beta1";

  // k8s.io/apimachinery validation: IsDNS1123Subdomain and the name part of IsQualifiedName.
  private static final Pattern DNS_1123_SUBDOMAIN =
      Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  private static final Pattern QUALIFIED_NAME =
      Pattern.compile("([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]");
  private static final String REQUESTS_PREFIX = "requests.";

  private RegisterRequestRules() {}

  /** Why the kubelet would refuse {@code request}, or empty if it passes. */
  static Optional<String> problem(RegisterRequest request) {
    if (!SUPPORTED_VERSION.equals(request.getVersion())) {
      return Optional.of("requested API version " + quote(request.getVersion())
          + " is not supported by kubelet. Supported version is " + quote(SUPPORTED_VERSION));
    }
    if (!isExtendedResourceName(request.getResourceName())) {
      return Optional.of("the ResourceName " + quote(request.getResourceName()) + " is invalid");
    }
    // The kubelet joins the endpoint to its socket dir without checking it; the contract (SPEC §2)
    // says it is a file
    // name, so the stand-in refuses anything else rather than dialling outside the directory.
    if (!isPlainFileName(request.getEndpoint())) {
      return Optional.of("the endpoint " + quote(request.getEndpoint())
          + " is not the file name of a socket in the device-plugin dir");
    }
    return Optional.empty();
  }

  /** The kubelet's v1helper.IsExtendedResourceName. */
  static boolean isExtendedResourceName(String name) {
    boolean nativeResource = !name.contains("/") || name.contains("kubernetes.io/");
    if (nativeResource || name.startsWith(REQUESTS_PREFIX)) {
      return false;
    }
    // The kubelet validates the quota form of the name ("requests.<name>") as a qualified name.
    return isQualifiedName(REQUESTS_PREFIX + name);
  }

  private static boolean isQualifiedName(String value) {
    String[] parts = value.split("/", -1);
    if (parts.length != 2) {
      return false;
    }
    String prefix = parts[0];
    String name = parts[1];
    return !prefix.isEmpty()
        && prefix.length() <= 253
        && DNS_1123_SUBDOMAIN.matcher(prefix).matches()
        && !name.isEmpty()
        && name.length() <= 63
        && QUALIFIED_NAME.matcher(name).matches();
  }

  private static boolean isPlainFileName(String endpoint) {
    return !endpoint.isEmpty()
        && !endpoint.contains("/")
        && !endpoint.contains("\0")
        && !endpoint.equals(".")
        && !endpoint.equals("..");
  }

  /** Go's %q for the strings that occur here. */
  private static String quote(String value) {
    return '"' + value.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
  }
}
