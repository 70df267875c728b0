package dev.firmament.targeting;

import java.time.DayOfWeek;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Set;

/**
 * When a rollout may offer its release: some days of the week, between two local times, in a time zone. A window whose
 * end is before its start runs past midnight ({@code 22:00}–{@code 04:00}); the day is the day it starts.
 */
public record DeliveryWindow(Set<DayOfWeek> days, LocalTime from, LocalTime to, ZoneId zone) {

    /** From stored columns: ISO day numbers (1 = Monday) and a zone id. */
    public static DeliveryWindow of(Integer[] isoDays, LocalTime from, LocalTime to, String zone) {
        Set<DayOfWeek> days = java.util.EnumSet.noneOf(DayOfWeek.class);
        for (Integer day : isoDays) {
            days.add(DayOfWeek.of(day));
        }
        return new DeliveryWindow(Set.copyOf(days), from, to, ZoneId.of(zone));
    }

    public boolean contains(Instant instant) {
        ZonedDateTime local = instant.atZone(zone);
        LocalTime time = local.toLocalTime();
        if (!from.isAfter(to)) {
            return days.contains(local.getDayOfWeek()) && !time.isBefore(from) && time.isBefore(to);
        }
        if (!time.isBefore(from)) {
            return days.contains(local.getDayOfWeek());
        }
        return time.isBefore(to) && days.contains(local.getDayOfWeek().minus(1));
    }
}
