package io.flywheel.safety.rules;

import static io.flywheel.safety.rules.DetectorAssertions.finds;
import static io.flywheel.safety.rules.DetectorAssertions.findsNothing;

import org.junit.jupiter.api.Test;

class IpAddressDetectorTest {

  private final IpAddressDetector d = new IpAddressDetector();

  @Test
  void ipv4() {
    finds(d, "ssh to 192.168.1.20.", "192.168.1.20");
    finds(d, "bind 0.0.0.0:8080 and 10.0.0.0/8", "0.0.0.0", "10.0.0.0");
    finds(d, "[255.255.255.255]", "255.255.255.255");
  }

  @Test
  void ipv4LookAlikes() {
    findsNothing(d, "version 1.2.3 and 10.4");
    findsNothing(d, "oid 1.3.6.1.4.1.311");
    findsNothing(d, "v1.2.3.4");
    findsNothing(d, "256.1.1.1");
    findsNothing(d, "192.168.01.1");
    findsNothing(d, "date 26.11.2024");
    findsNothing(d, "1.2.3.4.5");
  }

  @Test
  void ipv6() {
    finds(d, "host 2001:db8::8a2e:370:7334 up", "2001:db8::8a2e:370:7334");
    finds(d, "loopback ::1.", "::1");
    finds(d, "[2001:0db8:85a3:0000:0000:8a2e:0370:7334]:443", "2001:0db8:85a3:0000:0000:8a2e:0370:7334");
    finds(d, "fe80::1%eth0", "fe80::1");
    finds(d, "mapped ::ffff:192.0.2.128 here", "::ffff:192.0.2.128");
    finds(d, "FE80::ABCD:1", "FE80::ABCD:1");
  }

  @Test
  void ipv6LookAlikes() {
    findsNothing(d, "at 12:30:45 today");
    findsNothing(d, "mac 00:1A:2B:3C:4D:5E");
    findsNothing(d, "std::vector and Foo::Bar and dead::beef");
    findsNothing(d, "1::2::3");
    findsNothing(d, "Fe80::1");
    findsNothing(d, "1:2:3:4:5:6:7:8:9");
    findsNothing(d, "12345::1");
  }
}
