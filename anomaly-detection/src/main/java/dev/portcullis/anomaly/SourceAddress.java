package dev.portcullis.anomaly;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;
import java.util.regex.Pattern;

/**
 * Which network a request's source address stands for, when detecting and blocking by address: an
 * IPv4 address is itself (an IPv4-mapped IPv6 address is that IPv4 address), an IPv6 address is
 * its /64. One host normally holds a whole /64 and can use a new address for every request, so an
 * IPv6 attacker counted and blocked by exact address would never be seen and never be stopped.
 */
public final class SourceAddress {

    private static final Pattern IPV4 = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");
    /** Only hex digits, colons and dots: an IPv6 literal (no zone id), never a host name to resolve. */
    private static final Pattern IPV6_LITERAL = Pattern.compile("[0-9A-Fa-f:.]{2,45}");

    private SourceAddress() {
    }

    /**
     * The network {@code address} stands for: {@code 203.0.113.7}, or {@code 2001:db8:1:2:0:0:0:0/64}
     * for any address of that /64; a value that is not an IP literal is returned as it is.
     */
    public static String network(String address) {
        if (address == null || IPV4.matcher(address).matches() || !IPV6_LITERAL.matcher(address).matches()
                || address.indexOf(':') < 0) {
            return address;
        }
        InetAddress parsed;
        try {
            // A literal with a colon is parsed, never looked up: an invalid one fails at once.
            parsed = InetAddress.getByName(address);
        } catch (UnknownHostException e) {
            return address;
        }
        if (parsed instanceof Inet4Address) {
            return parsed.getHostAddress(); // ::ffff:203.0.113.7
        }
        if (!(parsed instanceof Inet6Address)) {
            return address;
        }
        byte[] prefix = Arrays.copyOf(parsed.getAddress(), 16);
        Arrays.fill(prefix, 8, 16, (byte) 0);
        try {
            return InetAddress.getByAddress(prefix).getHostAddress() + "/64";
        } catch (UnknownHostException e) {
            throw new IllegalStateException("16 bytes are an IPv6 address", e);
        }
    }

    /**
     * {@link #network} when it is not {@code address} itself (an IPv6 address's /64, or the IPv4
     * address an IPv4-mapped one stands for), else null: what the block list may hold for a source
     * besides its exact spelling.
     */
    public static String otherNetwork(String address) {
        String network = network(address);
        return network == null || network.equals(address) ? null : network;
    }
}
