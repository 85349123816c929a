package sync.salesforce;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Named;
import org.apache.camel.component.salesforce.AuthenticationType;
import org.apache.camel.component.salesforce.SalesforceComponent;
import org.apache.camel.component.salesforce.SalesforceEndpointConfig;
import org.apache.camel.support.jsse.KeyStoreParameters;
import sync.config.SyncConfig;

/**
 * The one camel-salesforce component, configured from {@code sync.salesforce.*}: routes use it
 * as {@code salesforce:...}. Credentials come only from configuration (the environment in
 * production) and are never logged.
 */
@ApplicationScoped
public class SalesforceComponentProducer {

    @Produces
    @Named("salesforce")
    @ApplicationScoped
    SalesforceComponent salesforce(SyncConfig config) {
        SyncConfig.Salesforce sf = config.salesforce();
        SalesforceComponent component = new SalesforceComponent();
        sf.loginUrl().ifPresent(u -> component.setLoginUrl(u.toString()));
        sf.clientId().ifPresent(component::setClientId);
        component.setAuthenticationType(switch (sf.authType()) {
            case USERNAME_PASSWORD -> AuthenticationType.USERNAME_PASSWORD;
            case REFRESH_TOKEN -> AuthenticationType.REFRESH_TOKEN;
            case CLIENT_CREDENTIALS -> AuthenticationType.CLIENT_CREDENTIALS;
            case JWT -> AuthenticationType.JWT;
        });
        sf.clientSecret().ifPresent(component::setClientSecret);
        sf.username().ifPresent(component::setUserName);
        sf.password().ifPresent(component::setPassword);
        sf.refreshToken().ifPresent(component::setRefreshToken);
        sf.jwt().keystore().ifPresent(location -> {
            KeyStoreParameters ks = new KeyStoreParameters();
            ks.setResource(location);
            ks.setType(sf.jwt().keystoreType());
            sf.jwt().keystorePassword().ifPresent(ks::setPassword);
            component.setKeystore(ks);
        });
        // The component logs in when it is first used: by sync.flow.SyncEngine, whose start is
        // retried with backoff, so an unreachable org delays the streams instead of failing the
        // application's start. (Lazy login is not available to streaming consumers.)
        SalesforceEndpointConfig endpoints = new SalesforceEndpointConfig();
        endpoints.setApiVersion(sf.apiVersion());
        endpoints.setRawPayload(true);
        // Streaming reconnects back off up to 30 s by default; keep recovery quick.
        endpoints.setBackoffIncrement(500L);
        endpoints.setMaxBackoff(10_000L);
        component.setConfig(endpoints);
        return component;
    }
}
