package dev.firmament.targeting;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Expected values are what PHP 8's version_compare() returns for the same pairs. */
class VersionComparatorTest {

    @ParameterizedTest(name = "{0} vs {1} = {2}")
    @CsvSource({ "1.0, 1.0, 0", "1.0, 1.1, -1", "1.10, 1.9, 1", "1.0, 1.0.0, -1", "1.0.0, 1.0, 1", "1.0rc1, 1.0, -1",
            "1.0, 1.0rc1, 1", "1.0-dev, 1.0, -1", "1.0, 1.0pl1, -1", "1.0RC1, 1.0rc1, 0", "1.0a, 1.0b, -1",
            "1.0alpha, 1.0beta, -1", "1.0beta, 1.0RC, -1", "1.0RC, 1.0, -1", "1.0dev, 1.0alpha, -1", "1.0.x, 1.0.0, -1",
            "1.0-foo, 1.0-dev, -1", "0.1.0, 0.1.1, -1", "0.1.1, 0.1.1, 0", "2.0, 10.0, -1", "1_0, 1.0, 0",
            "1+0, 1.0, 0", "1..0, 1.0, 0", "'', 1.0, -1", "1.0, '', 1", "'', '', 0", "4.3.2RC1, 4.3.2, -1",
            "1.2.3, 1.2.3-beta, 1", "v1.2, v1.2, 0", "14.3.0(tasmota), 14.3.0(tasmota), 0",
            "14.3.0(tasmota), 14.4.0(tasmota), -1", "99999999999999999999, 1, 1" })
    void comparesLikePhp(String a, String b, int expected) {
        assertThat(VersionComparator.compare(a, b)).isEqualTo(expected);
        assertThat(VersionComparator.compare(b, a)).isEqualTo(-expected);
    }

    @ParameterizedTest(name = "{0} {1} {2} is {3}")
    @CsvSource({ "1.0, <, 1.1, true", "1.1, <=, 1.1, true", "1.2, >, 1.1, true", "1.1, >=, 1.1, true",
            "1.1, ==, 1.1.0, false", "1.0RC1, eq, 1.0rc1, true", "1.0, !=, 1.0, false", "0.1.0, lt, 0.1.1, true" })
    void appliesOperators(String version, String operator, String bound, boolean expected) {
        assertThat(VersionComparator.satisfies(version, operator, bound)).isEqualTo(expected);
    }
}
