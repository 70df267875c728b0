package dev.firmament.device;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.util.Optional;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DeviceKeyUrlsTest {

    @ParameterizedTest
    @CsvSource({ "http://localhost:8080/, LOOPBACK", "http://127.0.0.1:8080, LOOPBACK", "http://[::1]:8080/, LOOPBACK",
            "http://0.0.0.0:8080/, LOOPBACK", "http://ota.example.com/, REQUEST", "http://192.168.1.20:8080/, REQUEST",
            "http://127example.com/, REQUEST" })
    void aUrlBuiltFromTheRequestSaysWhetherDevicesCanReachIt(String requestBase, DeviceKeyService.Base expected) {
        var urls = new DeviceKeyService(null, null, Optional.empty()).urls("KEY", URI.create(requestBase));
        assertThat(urls.base()).isEqualTo(expected);
        assertThat(urls.update()).isEqualTo(requestBase.replaceAll("/$", "") + "/d/KEY/update");
        assertThat(urls.nofuss()).endsWith("/d/KEY/nofuss");
    }

    @ParameterizedTest
    @CsvSource({ "http://localhost:8080/", "http://ota.example.com/" })
    void theConfiguredPublicUrlWinsOverTheRequest(String requestBase) {
        var urls = new DeviceKeyService(null, null, Optional.of(URI.create("https://ota.example.net/"))).urls("KEY",
                URI.create(requestBase));
        assertThat(urls.base()).isEqualTo(DeviceKeyService.Base.CONFIGURED);
        assertThat(urls.update()).isEqualTo("https://ota.example.net/d/KEY/update");
    }
}
