import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Normalizes a phone number as a caller ID or a person would give it ("(415) 555-0123",
 * "+44 20 7946 0958") to E.164, reading national numbers in `defaultRegion`.
 * Returns undefined when the input is not a valid number.
 */
export function toE164(input: string, defaultRegion: CountryCode): string | undefined {
  const parsed = parsePhoneNumberFromString(input.trim(), { defaultCountry: defaultRegion });
  if (!parsed?.isValid()) return undefined;
  return parsed.number;
}

/** True when `region` is an ISO 3166-1 alpha-2 code libphonenumber has metadata for (US, GB, DE…). */
export function isRegionCode(region: string): region is CountryCode {
  return isSupportedCountry(region);
}
