package dev.firmament.webhook;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.InetAddress;
import java.net.URI;
import java.util.List;

import org.junit.jupiter.api.Test;

/** Where webhooks may go, as a platform without any allowance decides it, and with one. */
class WebhookAddressPolicyTest {

    final WebhookAddressPolicy strict = new WebhookAddressPolicy(false, List.of());

    @Test
    void everyNonPublicAddressIsRefusedWithoutAnAllowance() throws Exception {
        for (String address : List.of("127.0.0.1", "127.8.9.10", "::1", "0.0.0.0", "::", "10.0.0.1", "172.16.5.4",
                "192.168.1.1", "169.254.169.254", "fe80::1", "fd00:ec2::254", "fc00::1", "100.64.0.1", "198.18.0.1",
                "224.0.0.1", "240.0.0.1", "255.255.255.255", "192.0.0.170", "::ffff:10.0.0.1", "64:ff9b::a00:1",
                "::127.0.0.1")) {
            assertThat(WebhookAddressPolicy.restricted(InetAddress.getByName(address))).as(address).isNotNull();
        }
        for (String address : List.of("1.1.1.1", "8.8.8.8", "172.32.0.1", "100.128.0.1", "2606:4700:4700::1111",
                "::ffff:1.1.1.1")) {
            assertThat(WebhookAddressPolicy.restricted(InetAddress.getByName(address))).as(address).isNull();
        }
    }

    @Test
    void loopbackIsRefusedByNameAndByNumberAtDeliveryToo() {
        for (String url : List.of("https://127.0.0.1/hook", "https://localhost/hook", "https://[::1]:8443/hook",
                "https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/")) {
            assertThatThrownBy(() -> strict.resolve(strict.parse(url))).as(url)
                    .isInstanceOf(WebhookAddressPolicy.Refused.class)
                    .hasMessageContaining("firmament.webhooks.allowed-networks");
        }
    }

    @Test
    void plainHttpNeedsTheAllowance() throws Exception {
        assertThatThrownBy(() -> strict.parse("http://example.com/hook"))
                .hasMessageContaining("firmament.webhooks.allow-http");
        assertThat(new WebhookAddressPolicy(true, List.of()).parse("http://example.com/hook"))
                .isEqualTo(URI.create("http://example.com/hook"));
    }

    @Test
    void anAllowedNetworkOpensExactlyItself() throws Exception {
        WebhookAddressPolicy onPremises = new WebhookAddressPolicy(true, List.of("10.20.0.0/16", "fd12::/16"));
        assertThat(onPremises.resolve(URI.create("http://10.20.3.4/hook")).getHostAddress()).isEqualTo("10.20.3.4");
        assertThat(onPremises.resolve(URI.create("http://[fd12::5]/hook"))).isNotNull();
        assertThatThrownBy(() -> onPremises.resolve(URI.create("http://10.21.0.1/hook")))
                .isInstanceOf(WebhookAddressPolicy.Refused.class).hasMessageContaining("a private address");
        assertThatThrownBy(() -> onPremises.resolve(URI.create("http://127.0.0.1/hook")))
                .hasMessageContaining("a loopback address");
        assertThatThrownBy(() -> new WebhookAddressPolicy(false, List.of("10.0.0.0/33")))
                .hasMessageContaining("not a network in CIDR notation");
    }
}
