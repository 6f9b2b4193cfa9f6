package io.kubeaccel.core.kube;

import io.fabric8.kubernetes.api.model.Binding;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.KubernetesResource;
import io.fabric8.kubernetes.api.model.Node;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Status;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.internal.CertUtils;
import io.fabric8.kubernetes.client.internal.SSLUtils;
import io.fabric8.kubernetes.client.jdkhttp.JdkHttpClientFactory;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.InputStream;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.ExecutorService;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import tools.jackson.databind.ObjectMapper;

/** The fabric8 clients of kubeaccel's processes (node agents, the scheduler extender, doctor). */
public final class KubeClients {

  /**
   * Every kind kubeaccel reads or writes. The client needs a kind registered only where a response names its type
   * by apiVersion and kind alone (watch events, Status answers); typed calls name the class themselves.
   */
  static final List<Class<? extends KubernetesResource>> KINDS =
      List.of(Pod.class, Node.class, Event.class, Binding.class, Status.class);

  private KubeClients() {}

  /**
   * JSON (de)serialization that knows the {@link #KINDS kinds kubeaccel uses}. fabric8's default searches the class
   * path for every model class it ships (a ServiceLoader over {@link KubernetesResource}) and loads them, ~1,000
   * classes of API groups no kubeaccel process touches (Gateway API, resource.k8s.io, storage, ...): several MiB of
   * class metadata in every agent.
   */
  public static KubernetesSerialization serialization() {
    KubernetesSerialization serialization = new KubernetesSerialization(new ObjectMapper(), false);
    KINDS.forEach(serialization::registerKubernetesResource);
    return serialization;
  }

  /**
   * A client for {@code config} with {@link #serialization()}; {@code executor} runs its callbacks (informer
   * handlers, async completions), or fabric8's default when null.
   */
  public static KubernetesClient create(Config config, ExecutorService executor) {
    KubernetesClientBuilder builder = new KubernetesClientBuilder()
        .withConfig(config)
        .withHttpClientFactory(new NamedCaHttpClientFactory())
        .withKubernetesSerialization(serialization());
    if (executor != null) {
      builder.withTaskExecutor(executor);
    }
    return builder.build();
  }

  /**
   * Trust managers that trust exactly the CA certificates {@code config} names (kubeconfig {@code
   * certificate-authority[-data]}, or the service account's {@code ca.crt}), as client-go and kubectl trust them; null
   * when it names none, skips verification or names a trust store of its own, where fabric8's handling stands.
   *
   * @throws KubernetesClientException if the named certificates cannot be read
   */
  public static TrustManager[] namedCaTrustManagers(Config config) {
    if (config.isTrustCerts()
        || config.getTrustStoreFile() != null
        || (config.getCaCertData() == null && config.getCaCertFile() == null)) {
      return null;
    }
    try (InputStream pem =
        CertUtils.getInputStreamFromDataOrFile(config.getCaCertData(), config.getCaCertFile())) {
      Collection<? extends Certificate> authorities =
          CertificateFactory.getInstance("X.509").generateCertificates(pem);
      if (authorities.isEmpty()) {
        throw new KubernetesClientException("the CA the kubeconfig names holds no certificate");
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      int index = 0;
      for (Certificate authority : authorities) {
        store.setCertificateEntry("ca-" + index++, authority);
      }
      TrustManagerFactory factory =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      factory.init(store);
      return factory.getTrustManagers();
    } catch (KubernetesClientException e) {
      throw e;
    } catch (Exception e) {
      throw new KubernetesClientException(
          "cannot load the CA certificates the kubeconfig names: " + e, e);
    }
  }

  /**
   * fabric8's JDK HTTP client, trusting only the CA the configuration names ({@link #namedCaTrustManagers}). fabric8
   * itself adds that CA to the JVM's default trust store, so that any of ~140 public CAs could vouch for a certificate
   * with the API server's name, and keeps those certificates in every agent's heap.
   */
  static final class NamedCaHttpClientFactory extends JdkHttpClientFactory {
    @Override
    public HttpClient.Builder newBuilder(Config config) {
      HttpClient.Builder builder = super.newBuilder(config);
      TrustManager[] named = namedCaTrustManagers(config);
      if (named != null) {
        try {
          builder.sslContext(SSLUtils.keyManagers(config), named);
        } catch (Exception e) {
          throw KubernetesClientException.launderThrowable(e);
        }
      }
      return builder;
    }
  }
}
