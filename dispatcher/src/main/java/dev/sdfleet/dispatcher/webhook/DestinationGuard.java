package dev.sdfleet.dispatcher.webhook;

import dev.sdfleet.dispatcher.config.WebhookSettings;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;

/**
 * The SSRF guard: a webhook may only go to http(s) on an address the configuration allows. Loopback, private
 * (incl. carrier-grade NAT and IPv6 unique-local), link-local (incl. the cloud metadata address 169.254.169.254),
 * unspecified, multicast and broadcast addresses are refused unless allowed. Checked twice: at admission for what the
 * URL itself says (an IP literal, {@code localhost}), and before every try on the resolved addresses, where the call
 * is then pinned to the checked address so a DNS answer cannot change in between (rebinding).
 */
public final class DestinationGuard {
    private final WebhookSettings settings;

    public DestinationGuard(WebhookSettings settings) {
        this.settings = settings;
    }

    /** A refused destination: never retried. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** Why the URL is refused by what it says alone (no DNS lookup), if it is. */
    public Optional<String> refuseAtAdmission(String url) {
        URI uri;
        try {
            uri = new URI(url);
        } catch (java.net.URISyntaxException e) {
            return Optional.of("is not a valid URL");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            return Optional.of("must be an http:// or https:// URL");
        }
        String host = uri.getHost();
        if (host == null) {
            return Optional.of("must name a host");
        }
        String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
        if (bare.equalsIgnoreCase("localhost") || bare.toLowerCase(Locale.ROOT).endsWith(".localhost")) {
            return settings.allowLoopback()
                    ? Optional.empty()
                    : Optional.of("points at this machine (loopback), which this dispatcher does not call");
        }
        if (isIpLiteral(bare)) {
            try {
                return why(InetAddress.getByName(bare));
            } catch (UnknownHostException e) {
                return Optional.of("is not a valid address");
            }
        }
        return Optional.empty();
    }

    /** Resolves the URL's host and returns the address to connect to, every resolved address being allowed. */
    public InetAddress resolve(URI uri) throws Refused {
        Optional<String> literal = refuseAtAdmission(uri.toString());
        if (literal.isPresent()) {
            throw new Refused("webhook URL " + literal.get());
        }
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost().replace("[", "").replace("]", ""));
        } catch (UnknownHostException e) {
            throw new Refused("webhook host does not resolve");
        }
        for (InetAddress address : addresses) {
            Optional<String> why = why(address);
            if (why.isPresent()) {
                throw new Refused("webhook host resolves to " + address.getHostAddress() + ", which " + why.get());
            }
        }
        return addresses[0];
    }

    /** Why {@code address} may not be called, if it may not. */
    public Optional<String> why(InetAddress address) {
        if (address.isLoopbackAddress()) {
            return settings.allowLoopback() ? Optional.empty() : Optional.of("is a loopback address");
        }
        if (address.isAnyLocalAddress() || address.isMulticastAddress() || isBroadcastOrThisNetwork(address)) {
            return Optional.of("is not a unicast destination");
        }
        if (address.isLinkLocalAddress()) {
            return settings.allowLinkLocal() ? Optional.empty() : Optional.of("is a link-local address");
        }
        if (address.isSiteLocalAddress() || isUniqueLocal(address) || isCarrierGradeNat(address)) {
            return settings.allowPrivate() ? Optional.empty() : Optional.of("is a private address");
        }
        return Optional.empty();
    }

    private static boolean isIpLiteral(String host) {
        return host.contains(":") || host.matches("[0-9.]+");
    }

    private static boolean isUniqueLocal(InetAddress address) {
        return address instanceof Inet6Address && (address.getAddress()[0] & 0xfe) == 0xfc;
    }

    private static boolean isCarrierGradeNat(InetAddress address) {
        byte[] b = address.getAddress();
        return address instanceof Inet4Address && (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }

    private static boolean isBroadcastOrThisNetwork(InetAddress address) {
        byte[] b = address.getAddress();
        return address instanceof Inet4Address && ((b[0] & 0xff) == 0 || ((b[0] & b[1] & b[2] & b[3]) & 0xff) == 0xff);
    }
}
