/**
 * One faker instance driven by our cheap-to-seed PRNG. Builders call `reseed()` before each
 * resource, so a resource's content depends only on its own seed, never on call order.
 * Builders are synchronous and re-seed first, so interleaved generators cannot disturb each other.
 */
import { Faker, en } from '@faker-js/faker';
import { Rng } from './random';

export const rng = new Rng();
export const faker = new Faker({ locale: [en], randomizer: rng });

export function reseed(seed: number): void {
  rng.seed(seed);
}

/*
 * Fast pickers over faker's own English word lists. faker's pattern-based methods
 * (lastName, streetAddress, city) cost 5–15 µs each, several times a whole Coverage line.
 */
function words(list: unknown, name: string): readonly string[] {
  const generic = (list as { generic?: unknown } | undefined)?.generic ?? list;
  if (!Array.isArray(generic) || generic.length === 0) throw new Error(`faker definitions lack ${name}`);
  return generic as string[];
}

const LAST_NAMES = words(faker.definitions.person.last_name, 'person.last_name');
const FIRST_NAMES = {
  female: words(
    (faker.definitions.person.first_name as { female?: unknown }).female,
    'person.first_name.female',
  ),
  male: words((faker.definitions.person.first_name as { male?: unknown }).male, 'person.first_name.male'),
};
const STATES = words(faker.definitions.location.state_abbr, 'location.state_abbr');
const STREET_NAMES = words(faker.definitions.location.street_name, 'location.street_name');
const CITY_NAMES = words(faker.definitions.location.city_name, 'location.city_name');

export function firstName(sex: 'female' | 'male'): string {
  return faker.helpers.arrayElement(FIRST_NAMES[sex]);
}

export function stateCode(): string {
  return faker.helpers.arrayElement(STATES);
}

export function lastName(): string {
  return faker.helpers.arrayElement(LAST_NAMES);
}

export function streetLine(): string {
  return `${rng.int(1, 9999)} ${faker.helpers.arrayElement(STREET_NAMES)}`;
}

export function cityName(): string {
  return faker.helpers.arrayElement(CITY_NAMES);
}
