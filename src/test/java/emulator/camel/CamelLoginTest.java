package emulator.camel;

import com.fasterxml.jackson.databind.JsonNode;
import emulator.EmulatorOptions;
import emulator.SalesforceEmulator;
import org.apache.camel.CamelContext;
import org.apache.camel.ProducerTemplate;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.api.SalesforceException;
import org.apache.camel.component.salesforce.api.dto.GlobalObjects;
import org.apache.camel.component.salesforce.api.dto.SObject;
import org.apache.camel.support.jsse.KeyStoreParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static emulator.camel.CamelEmulatorSupport.admin;
import static emulator.camel.CamelEmulatorSupport.component;
import static emulator.camel.CamelEmulatorSupport.context;
import static emulator.camel.CamelEmulatorSupport.messages;
import static emulator.camel.CamelEmulatorSupport.reset;
import static emulator.camel.CamelEmulatorSupport.salesforceCause;
import static emulator.camel.CamelEmulatorSupport.stopQuietly;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

/** camel-salesforce logs in to the emulator with each OAuth grant it supports; bad credentials fail with invalid_grant. */
class CamelLoginTest {
    private static SalesforceEmulator emulator;
    private CamelContext ctx;

    @BeforeAll
    static void startEmulator() {
        emulator = SalesforceEmulator.start(EmulatorOptions.defaults());
    }

    @AfterAll
    static void stopEmulator() {
        emulator.close();
    }

    @BeforeEach
    void resetEmulator() {
        reset(emulator);
    }

    @AfterEach
    void stopCamel() {
        stopQuietly(ctx);
    }

    @Test
    void usernamePasswordGrant() {
        assertLoginWorks(component(emulator, AuthenticationType.USERNAME_PASSWORD));
    }

    @Test
    void refreshTokenGrant() {
        String refreshToken = admin(emulator, "/emulator/sessions/refresh-token", "").path("refresh_token").asText();
        assertThat(refreshToken).isNotBlank();
        SalesforceComponent sf = component(emulator, AuthenticationType.REFRESH_TOKEN);
        sf.setRefreshToken(refreshToken);
        assertLoginWorks(sf);
    }

    @Test
    void clientCredentialsGrant() {
        assertLoginWorks(component(emulator, AuthenticationType.CLIENT_CREDENTIALS));
    }

    @Test
    void jwtBearerGrant(@TempDir Path dir) throws Exception {
        String password = HexFormat.of().formatHex(new SecureRandom().generateSeed(12));
        Path keystore = dir.resolve("jwt.p12");
        // keytool ships with every JDK; no BouncyCastle PKIX on the test classpath to build a certificate.
        Path keytool = Path.of(System.getProperty("java.home"), "bin", "keytool");
        Process p = new ProcessBuilder(keytool.toString(), "-genkeypair", "-alias", "sluice-jwt", "-keyalg", "RSA",
                "-keysize", "2048", "-dname", "CN=sluice-jwt-test", "-validity", "2", "-storetype", "PKCS12",
                "-keystore", keystore.toString(), "-storepass", password, "-keypass", password)
                .redirectErrorStream(true).start();
        String keytoolOut;
        try (InputStream out = p.getInputStream()) {
            keytoolOut = new String(out.readAllBytes(), StandardCharsets.UTF_8);
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(keytoolOut).isZero();

        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = Files.newInputStream(keystore)) {
            ks.load(in, password.toCharArray());
        }
        Certificate cert = ks.getCertificate("sluice-jwt");
        String pem = "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(cert.getPublicKey().getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
        JsonNode registered = admin(emulator, "/emulator/jwt-key", pem);
        assertThat(registered.path("registered").asBoolean()).isTrue();

        SalesforceComponent sf = component(emulator, AuthenticationType.JWT);
        KeyStoreParameters ksp = new KeyStoreParameters();
        ksp.setResource("file:" + keystore.toAbsolutePath());
        ksp.setPassword(password);
        ksp.setType("PKCS12");
        sf.setKeystore(ksp);
        assertLoginWorks(sf);
    }

    @Test
    void wrongPasswordFailsWithInvalidGrant() {
        SalesforceComponent sf = component(emulator, AuthenticationType.USERNAME_PASSWORD);
        sf.setPassword(emulator.credentials().passwordWithToken() + "-wrong");
        ctx = context(sf);
        Throwable failure = catchThrowable(() -> ctx.start());
        assertThat(failure).as("context start must fail on a bad password").isNotNull();
        SalesforceException se = salesforceCause(failure);
        assertThat(se).as(messages(failure)).isNotNull();
        assertThat(se.getStatusCode()).isEqualTo(400);
        assertThat(se.getErrors()).extracting(e -> e.getErrorCode()).containsExactly("invalid_grant");
        assertThat(messages(failure)).contains("invalid_grant").contains("authentication failure");
        assertThat(emulator.counters().get("oauth.token")).isGreaterThanOrEqualTo(1);
        assertThat(emulator.counters().apiRequests()).isZero();
    }

    @Test
    void revokedRefreshTokenFailsWithInvalidGrant() {
        String refreshToken = admin(emulator, "/emulator/sessions/refresh-token", "").path("refresh_token").asText();
        admin(emulator, "/emulator/sessions/expire?refresh=true", "");
        SalesforceComponent sf = component(emulator, AuthenticationType.REFRESH_TOKEN);
        sf.setRefreshToken(refreshToken);
        ctx = context(sf);
        Throwable failure = catchThrowable(() -> ctx.start());
        SalesforceException se = salesforceCause(failure);
        assertThat(se).as(String.valueOf(failure)).isNotNull();
        assertThat(se.getErrors()).extracting(e -> e.getErrorCode()).containsExactly("invalid_grant");
        assertThat(messages(failure)).contains("expired access/refresh token");
    }

    @Test
    void wrongClientSecretFailsWithInvalidClient() {
        SalesforceComponent sf = component(emulator, AuthenticationType.CLIENT_CREDENTIALS);
        sf.setClientSecret("not-the-secret");
        ctx = context(sf);
        assertThatThrownBy(() -> ctx.start()).satisfies(t ->
                assertThat(messages(t)).contains("invalid_client"));
    }

    /** Starts camel (eager login), then calls describeGlobal through the logged-in session. */
    private void assertLoginWorks(SalesforceComponent sf) {
        ctx = context(sf);
        ctx.start();
        assertThat(emulator.counters().get("oauth.token")).as("one token request at start").isEqualTo(1);
        ProducerTemplate template = ctx.createProducerTemplate();
        GlobalObjects global = template.requestBody("salesforce:getGlobalObjects", null, GlobalObjects.class);
        List<String> names = global.getSobjects().stream().map(SObject::getName).toList();
        assertThat(names).contains("Account", "Contact", "Opportunity");
        assertThat(global.getMaxBatchSize()).isEqualTo(200);
        assertThat(emulator.counters().get("rest.describeGlobal")).isEqualTo(1);
        assertThat(emulator.counters().get("oauth.token")).as("no re-login needed").isEqualTo(1);
    }
}
