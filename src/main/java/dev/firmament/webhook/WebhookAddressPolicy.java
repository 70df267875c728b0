package dev.firmament.webhook;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

import dev.firmament.errors.InvalidInputException;
import dev.firmament.errors.PlainText;

/**
 * Where webhooks may go: {@code https} URLs whose host resolves to public addresses only, so that a tenant cannot make
 * Firmament call into its own network (the cloud metadata service, the database, another tenant's receiver on a private
 * address). The check runs when a subscription is saved and again before every connection, which then goes to the very
 * address that was checked: a name that resolved to a public address yesterday and to 127.0.0.1 today (DNS rebinding)
 * is refused at delivery.
 */
@ApplicationScoped
public class WebhookAddressPolicy {

    /** A URL that may not be called, and why, in words for the person who entered it. */
    public static class Refused extends Exception {
        Refused(String message) {
            super(message);
        }
    }

    private final boolean allowHttp;
    private final List<Network> allowedNetworks;

    @Inject
    WebhookAddressPolicy(WebhooksConfig config) {
        this(config.allowHttp(), config.allowedNetworks().orElse(List.of()));
    }

    WebhookAddressPolicy(boolean allowHttp, List<String> allowedNetworks) {
        this.allowHttp = allowHttp;
        this.allowedNetworks = allowedNetworks.stream().map(Network::parse).toList();
    }

    /** The URL as entered, if it may be subscribed to now; otherwise a 422 that says what is wrong with it. */
    public URI requireAllowed(String url) {
        try {
            URI uri = parse(url);
            resolve(uri);
            return uri;
        } catch (Refused e) {
            throw new InvalidInputException("webhook-url-refused", e.getMessage());
        }
    }

    /** The parsed URL, or why it cannot be one: scheme, host, no credentials, no control characters. */
    public URI parse(String url) throws Refused {
        if (url == null || url.isBlank()) {
            throw new Refused("A webhook needs a url");
        }
        if (url.length() > 2000) {
            throw new Refused("A webhook url may have at most 2000 characters");
        }
        if (PlainText.firstControlCharacter(url) >= 0 || url.contains(" ")) {
            throw new Refused("A webhook url may not contain spaces or control characters");
        }
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused("Not a URL: " + e.getReason());
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !(scheme.equals("http") && allowHttp)) {
            throw new Refused(allowHttp ? "A webhook url must start with https:// or http://"
                    : "A webhook url must start with https:// (plain http is allowed only where a platform operator set"
                            + " firmament.webhooks.allow-http)");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Refused("A webhook url needs a host name");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("A webhook url may not carry a user name or password: receivers check the signature");
        }
        if (uri.getFragment() != null) {
            throw new Refused("A webhook url may not have a #fragment");
        }
        return uri;
    }

    /**
     * The address to connect to for {@code uri}: its host resolved now, every address it resolves to allowed (one
     * private address among public ones refuses the lot, as the connection could land on it).
     */
    public InetAddress resolve(URI uri) throws Refused {
        String host = uri.getHost().replaceAll("^\\[|\\]$", "");
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(host);
        } catch (UnknownHostException e) {
            throw new Refused(host + " does not resolve to an address");
        }
        for (InetAddress address : addresses) {
            String kind = restricted(address);
            if (kind != null && allowedNetworks.stream().noneMatch(network -> network.contains(address))) {
                throw new Refused(host + " resolves to " + address.getHostAddress() + ", " + kind
                        + "; webhooks go to public addresses only, unless a platform operator allows the network with"
                        + " firmament.webhooks.allowed-networks");
            }
        }
        return addresses[0];
    }

    /** What kind of non-public address this is, or null for a public one. */
    static String restricted(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return "a loopback address";
        }
        if (address.isAnyLocalAddress()) {
            return "the unspecified address";
        }
        if (address.isLinkLocalAddress()) {
            return "a link-local address (where cloud metadata services live)";
        }
        if (address.isSiteLocalAddress()) {
            return "a private address";
        }
        if (address.isMulticastAddress()) {
            return "a multicast address";
        }
        byte[] b = address.getAddress();
        if (address instanceof Inet4Address) {
            int first = b[0] & 0xff;
            int second = b[1] & 0xff;
            if (first == 0 || first >= 240) {
                return "a reserved address";
            }
            if (first == 100 && second >= 64 && second < 128) {
                return "a shared (carrier-grade NAT) address";
            }
            if (first == 198 && (second == 18 || second == 19)) {
                return "a benchmarking address";
            }
            if (first == 192 && second == 0 && (b[2] & 0xff) == 0) {
                return "a reserved address";
            }
        } else if (address instanceof Inet6Address) {
            if ((b[0] & 0xfe) == 0xfc) {
                return "a private (unique local) address";
            }
            boolean nat64 = b[0] == 0 && b[1] == 0x64 && (b[2] & 0xff) == 0xff && (b[3] & 0xff) == 0x9b;
            boolean compatible = true;
            for (int i = 0; i < 12; i++) {
                compatible &= b[i] == 0;
            }
            if (nat64 || compatible) {
                // An IPv4 address in IPv6 clothing: judge the IPv4 address it carries.
                try {
                    String inner = restricted(InetAddress.getByAddress(java.util.Arrays.copyOfRange(b, 12, 16)));
                    return inner == null ? null : inner + " inside an IPv6 address";
                } catch (UnknownHostException e) {
                    return "a reserved address";
                }
            }
        }
        return null;
    }

    /** A CIDR block. */
    record Network(byte[] prefix, int bits) {
        static Network parse(String cidr) {
            String[] parts = cidr.trim().split("/", 2);
            try {
                byte[] address = InetAddress.getByName(parts[0]).getAddress();
                int bits = parts.length == 2 ? Integer.parseInt(parts[1]) : address.length * 8;
                if (bits < 0 || bits > address.length * 8) {
                    throw new NumberFormatException();
                }
                return new Network(address, bits);
            } catch (UnknownHostException | NumberFormatException e) {
                throw new IllegalArgumentException(
                        "firmament.webhooks.allowed-networks: " + cidr + " is not a network in CIDR notation");
            }
        }

        boolean contains(InetAddress address) {
            byte[] b = address.getAddress();
            if (b.length != prefix.length) {
                return false;
            }
            for (int i = 0; i < bits; i++) {
                int mask = 0x80 >> (i % 8);
                if ((b[i / 8] & mask) != (prefix[i / 8] & mask)) {
                    return false;
                }
            }
            return true;
        }
    }
}
