package dev.sdfleet.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a secured {@link EmbeddedKafka} and its clients need: self-signed certificates (made with the JDK's own
 * {@code keytool}, no extra library) and the passwords, all in one folder that {@link #close()} removes.
 *
 * <p>The broker then listens with SASL_SSL (SCRAM-SHA-512) for clients and, when there are certificate users, with SSL
 * requiring a client certificate (mTLS); a certificate's principal is its CN ({@code CN=worker} is
 * {@code User:worker}). {@value #SUPER_USER} is the super-user: the broker talks to itself as it, and tests create users
 * and ACLs as it. Everyone else may do only what an ACL allows (StandardAuthorizer, no ACL means denied).
 *
 * <p>Trust is one certificate per party, no CA: clients trust the broker's certificate, the broker trusts its own (it is
 * its own client on the inter-broker listener) and each user's. Certificates last two days; they are for tests and the
 * local fleet only.
 */
public final class KafkaSecurity implements AutoCloseable {
    /** The broker's and the tests' user, exempt from ACLs. */
    public static final String SUPER_USER = "admin";

    public static final String SCRAM_MECHANISM = "SCRAM-SHA-512";
    private static final long KEYTOOL_TIMEOUT_SECONDS = 60;

    private final Path dir;
    private final String storePassword = randomSecret();
    private final String superUserPassword = randomSecret();
    private final Path brokerKeystore;
    private final Path clientTruststore;
    private final Path brokerTruststore;
    private final Map<String, Path> userKeystores = new LinkedHashMap<>();

    private KafkaSecurity(Path dir, List<String> certificateUsers) throws IOException {
        this.dir = dir;
        this.brokerKeystore = keyPair("broker", "CN=localhost", "SAN=ip:127.0.0.1,dns:localhost");
        String brokerCertificate = certificate("broker", brokerKeystore);
        this.clientTruststore = Files.writeString(dir.resolve("client-trust.pem"), brokerCertificate);
        StringBuilder trustedByBroker = new StringBuilder(brokerCertificate);
        for (String user : certificateUsers) {
            Path keystore = keyPair(user, "CN=" + user, null);
            userKeystores.put(user, keystore);
            trustedByBroker.append(certificate(user, keystore));
        }
        this.brokerTruststore = Files.writeString(dir.resolve("broker-trust.pem"), trustedByBroker.toString());
    }

    /**
     * Makes the certificates: the broker's and one per name in {@code certificateUsers} (who connect with mTLS).
     *
     * @throws IllegalStateException when keytool fails
     */
    public static KafkaSecurity create(List<String> certificateUsers) {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("sdfleet-kafka-tls-");
            return new KafkaSecurity(dir, certificateUsers);
        } catch (IOException e) {
            Folders.deleteRecursively(dir);
            throw new UncheckedIOException(e);
        } catch (RuntimeException e) {
            Folders.deleteRecursively(dir);
            throw e;
        }
    }

    /** Whether the broker also opens its SSL (client certificate) listener. */
    boolean hasCertificateUsers() {
        return !userKeystores.isEmpty();
    }

    /** The super-user's SCRAM credential, in the form {@code kafka-storage format --add-scram} takes. */
    String superUserScram() {
        return SCRAM_MECHANISM + "=[name=" + SUPER_USER + ",password=" + superUserPassword + "]";
    }

    /** The broker's settings for listeners named SASL_SSL, SSL (when used) and CONTROLLER. */
    Map<String, String> brokerProperties() {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        props.put("super.users", "User:" + SUPER_USER);
        props.put("allow.everyone.if.no.acl.found", "false");
        props.put("inter.broker.listener.name", "SASL_SSL");
        props.put("sasl.mechanism.inter.broker.protocol", SCRAM_MECHANISM);
        props.put("listener.name.sasl_ssl.sasl.enabled.mechanisms", SCRAM_MECHANISM);
        props.put("listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config", scramJaas(SUPER_USER, superUserPassword));
        // KRaft controllers cannot use SCRAM (its credentials live in the metadata they serve): PLAIN on loopback.
        props.put("sasl.mechanism.controller.protocol", "PLAIN");
        props.put("listener.name.controller.sasl.enabled.mechanisms", "PLAIN");
        props.put(
                "listener.name.controller.plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\"" + SUPER_USER
                        + "\" password=\"" + superUserPassword + "\" user_" + SUPER_USER + "=\"" + superUserPassword
                        + "\";");
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", brokerKeystore.toString());
        props.put("ssl.keystore.password", storePassword);
        props.put("ssl.key.password", storePassword);
        props.put("ssl.truststore.type", "PEM");
        props.put("ssl.truststore.location", brokerTruststore.toString());
        props.put("listener.name.ssl.ssl.client.auth", "required");
        // Certificates say CN=<user>; SCRAM users are plain names: one principal name per user either way.
        props.put("ssl.principal.mapping.rules", "RULE:^CN=([^,]+)$/$1/,DEFAULT");
        return props;
    }

    /** Client properties of a SCRAM user over SASL_SSL. */
    public Map<String, String> scramClient(String user, String password) {
        Map<String, String> props = trustingTheBroker("SASL_SSL");
        props.put("sasl.mechanism", SCRAM_MECHANISM);
        props.put("sasl.jaas.config", scramJaas(user, password));
        return props;
    }

    /** Client properties of the super-user. */
    public Map<String, String> superUserClient() {
        return scramClient(SUPER_USER, superUserPassword);
    }

    /**
     * Client properties of a certificate user over SSL (the broker's SSL listener).
     *
     * @throws IllegalArgumentException when {@code user} got no certificate from {@link #create}
     */
    public Map<String, String> certificateClient(String user) {
        Path keystore = userKeystores.get(user);
        if (keystore == null) {
            throw new IllegalArgumentException("no certificate for " + user + "; made for " + userKeystores.keySet());
        }
        Map<String, String> props = trustingTheBroker("SSL");
        props.put("ssl.keystore.type", "PKCS12");
        props.put("ssl.keystore.location", keystore.toString());
        props.put("ssl.keystore.password", storePassword);
        props.put("ssl.key.password", storePassword);
        return props;
    }

    private Map<String, String> trustingTheBroker(String protocol) {
        Map<String, String> props = new LinkedHashMap<>();
        props.put("security.protocol", protocol);
        props.put("ssl.truststore.type", "PEM");
        props.put("ssl.truststore.location", clientTruststore.toString());
        return props;
    }

    private static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\"" + user + "\" password=\""
                + password + "\";";
    }

    /** Removes the keys and certificates. */
    @Override
    public void close() {
        Folders.deleteRecursively(dir);
    }

    private Path keyPair(String alias, String dname, String extension) {
        Path keystore = dir.resolve(alias + ".p12");
        List<String> args = new ArrayList<>(List.of(
                "-genkeypair",
                "-alias",
                alias,
                // EC keys: made in milliseconds, where RSA 2048 takes a noticeable share of a second.
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-dname",
                dname,
                "-validity",
                "2",
                "-storetype",
                "PKCS12",
                "-keystore",
                keystore.toString(),
                "-storepass",
                storePassword,
                "-keypass",
                storePassword));
        if (extension != null) {
            args.addAll(List.of("-ext", extension));
        }
        keytool(args);
        return keystore;
    }

    private String certificate(String alias, Path keystore) throws IOException {
        Path pem = dir.resolve(alias + ".pem");
        keytool(List.of(
                "-exportcert",
                "-rfc",
                "-alias",
                alias,
                "-keystore",
                keystore.toString(),
                "-storepass",
                storePassword,
                "-file",
                pem.toString()));
        return Files.readString(pem);
    }

    private static void keytool(List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        command.addAll(args);
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = process.getInputStream().readAllBytes();
            if (!process.waitFor(KEYTOOL_TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new IllegalStateException("keytool " + args.getFirst() + " did not finish");
            }
            if (process.exitValue() != 0) {
                throw new IllegalStateException(
                        "keytool " + args.getFirst() + " failed: " + new String(output, StandardCharsets.UTF_8));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    private static String randomSecret() {
        byte[] bytes = new byte[18];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }
}
