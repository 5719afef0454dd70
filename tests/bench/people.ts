// Realistic users for the benchmarks, made in Node: varied names (accents, hyphens, apostrophes, particles),
// unique emails, usernames and customer codes, sites, user types and statuses. Every record is a `User` as
// Rollcall stores it: the normalised fields plus the keys `userKeys` derives from them (the bench checks a
// sample against `validateUser`, so the shapes cannot drift apart). Deterministic: the same seed gives the
// same directory.
import type { UserType } from '$lib/domain/fields';
import { newLicenseKey } from '$lib/domain/license-key';
import { userKeys, type User, type UserFields, type UserInput, type UserStatus } from '$lib/domain/user';

/** A user as written to the users store: the database gives the id. */
export type SeedUser = Omit<User, 'id'>;

// prettier-ignore
const FIRST_NAMES = [
	'Aaron', 'Abigail', 'Adèle', 'Agnès', 'Ahmed', 'Aiko', 'Aisha', 'Alejandro', 'Aleksander', 'Alice',
	'Amélie', 'Ana', 'Anaïs', 'André', 'Ángel', 'Anna', 'Anneliese', 'Antoine', 'Arjun', 'Astrid',
	'Aurélien', 'Ayşe', 'Beatriz', 'Benedikt', 'Benjamin', 'Björn', 'Bogdan', 'Brígida', 'Camille', 'Carlos',
	'Catalina', 'Cédric', 'Chen', 'Chiara', 'Chloé', 'Chukwuemeka', 'Cian', 'Clément', 'Conceição', 'Daniel',
	'Dagný', 'Dávid', 'Deepika', 'Dmitri', 'Dörte', 'Eamon', 'Eero', 'Élise', 'Élodie', 'Emeka',
	'Emily', 'Emma', 'Enrique', 'Éric', 'Esmé', 'Fatima', 'Fátima', 'Felipe', 'Fernão', 'Finn',
	'Florian', 'François', 'Frédérique', 'Gaël', 'Gabriel', 'Gergő', 'Grace', 'Grzegorz', 'Guðrún', 'Hana',
	'Hannah', 'Hélène', 'Henrik', 'Hiroshi', 'Hugo', 'Iñaki', 'Inês', 'Ingrid', 'Ioana', 'Isabel',
	'Ivan', 'Jakub', 'James', 'Jan', 'Jean-Luc', 'Jean-Marie', 'Jérôme', 'Jiří', 'João', 'Joaquín',
	'Jonas', 'José', 'Joséphine', 'Jürgen', 'Kaito', 'Karolína', 'Kateřina', 'Kemal', 'Kenji', 'Kwame',
	'Lars', 'Laura', 'Léa', 'Leila', 'Léon', 'Liam', 'Linnéa', 'Lorenzo', 'Lucía', 'Łukasz',
	'Maëlle', 'Magnús', 'Małgorzata', 'Manon', 'Marc-André', 'María', 'Mario', 'Marta', 'Mateus', 'Matthäus',
	'Mehmet', 'Mei', 'Mihály', 'Miguel', 'Mikael', 'Miloš', 'Mohammed', 'Nadia', 'Naoko', 'Nicolás',
	'Niamh', 'Nikolai', 'Noémie', 'Noah', 'Nuno', 'Olivia', 'Oscar', 'Óscar', 'Otávio', 'Øystein',
	'Paulína', 'Pedro', 'Pénélope', 'Per', 'Priya', 'Rafael', 'Raphaël', 'Ravi', 'Renée', 'Rúben',
	'Saoirse', 'Sébastien', 'Selin', 'Siobhán', 'Sofía', 'Søren', 'Stéphane', 'Sven', 'Szymon', 'Tamás',
	'Thomas', 'Thérèse', 'Tomás', 'Tomasz', 'Ulrich', 'Valérie', 'Vasco', 'Victor', 'Wei', 'Wojciech',
	'Xavier', 'Yannick', 'Yara', 'Yusuf', 'Zeynep', 'Zoë', 'Zoltán', 'Žofia', 'Ömer', 'Ünal'
];

// prettier-ignore
const LAST_NAMES = [
	'Abbott', 'Adeyemi', 'Alonso', 'Andersson', 'Andrade', 'Anderson', 'Bach', 'Bäcker', 'Baptiste', 'Barbosa',
	'Bauer', 'Becker', 'Bernard', 'Bianchi', 'Björklund', 'Blanc', 'Bonnet', 'Brandão', 'Brown', 'Brennan',
	'Castro', 'Çelik', 'Chen', 'Clarke', 'Colombo', 'Costa', 'Cruz', 'Da Silva', 'Dąbrowski', 'de Jong',
	'de la Cruz', 'Delacroix', 'Demir', 'Diallo', 'Díaz', 'Dubois', 'Dufresne', 'Dvořák', 'Eriksson', 'Esposito',
	'Fernández', 'Ferreira', 'Fischer', 'Fitzgerald', 'Fontaine', 'Fournier', 'García', 'García-López', 'Gauthier', 'Giménez',
	'Gonçalves', 'González', 'Gruber', 'Guðmundsson', 'Haddad', 'Hansen', 'Hernández', 'Hoffmann', 'Horváth', 'Hughes',
	'Ibáñez', 'Ivanova', 'Jäger', 'Jansen', 'Jiménez', 'Johansson', 'Jones', 'Kaya', 'Kelly', 'Kim',
	'Kowalczyk', 'Kowalski', 'Krüger', 'Kuznetsov', 'Laurent', 'Lefèvre', 'Lehmann', 'Lemaître', 'Lindqvist', 'López',
	'Lund', 'Mac Giolla Phádraig', 'MacDonald', 'Magalhães', 'Martin', 'Martín', 'Martínez', 'Medina', 'Meier', 'Mercier',
	'Moreau', 'Morales', 'Müller', 'Murphy', 'Nagy', 'Navarro', 'Nguyen', 'Nielsen', 'Novák', 'Nowak',
	"O'Brien", "O'Connor", "O'Sullivan", 'Okafor', 'Oliveira', 'Olsen', 'Ortega', 'Özdemir', 'Papadopoulos', 'Pereira',
	'Peña', 'Petrović', 'Pham', 'Picard', 'Popescu', 'Quintero', 'Ramírez', 'Ribeiro', 'Richter', 'Rodríguez',
	'Romero', 'Rossi', 'Roussel', 'Ruiz', 'Šafránek', 'Sánchez', 'Santos', 'Sato', 'Schäfer', 'Schmidt',
	'Schneider', 'Schröder', 'Şahin', 'Silva', 'Singh', 'Smith', 'Sørensen', 'Sousa', 'Suárez', 'Suzuki',
	'Szabó', 'Takahashi', 'Tanaka', 'Thompson', 'Torres', 'Tremblay', 'Van den Berg', 'van der Meer', 'Vargas', 'Vázquez',
	'Vieira', 'Vogel', 'Wagner', 'Walsh', 'Wang', 'Weiß', 'Williams', 'Wiśniewski', 'Wójcik', 'Yamamoto',
	'Yılmaz', 'Zając', 'Zhang', 'Zimmermann', 'Żukowski', 'Ødegaard', 'Østergaard', 'Ångström', 'Ólafsdóttir', 'Üzüm'
];

const DOMAINS = [
	'northwind.example',
	'contoso.example',
	'fabrikam.example',
	'globex.example',
	'initech.example'
];

// prettier-ignore
const SITES = [
	'HQ', 'Amsterdam', 'Athens', 'Barcelona', 'Berlin', 'Bogotá', 'Brussels', 'Budapest', 'Chicago', 'Copenhagen',
	'Dublin', 'Düsseldorf', 'Edinburgh', 'Frankfurt', 'Geneva', 'Göteborg', 'Helsinki', 'Istanbul', 'Kraków', 'Lagos',
	'Leeds', 'Lisbon', 'London', 'Lyon', 'Madrid', 'Malmö', 'Manchester', 'Milan', 'Montréal', 'Munich',
	'Nairobi', 'Oslo', 'Paris', 'Porto', 'Prague', 'Reykjavík', 'São Paulo', 'Seville', 'Stockholm', 'Tokyo',
	'Toronto', 'Vienna', 'Warsaw', 'Zürich'
];

// prettier-ignore
const DEPARTMENTS = [
	'Accounting', 'Customer Success', 'Engineering', 'Facilities', 'Finance', 'Human Resources', 'IT', 'Legal',
	'Logistics', 'Marketing', 'Operations', 'Procurement', 'Product', 'Quality', 'Research', 'Sales', 'Support'
];

// prettier-ignore
const JOB_TITLES = [
	'Account Manager', 'Analyst', 'Architect', 'Assistant', 'Consultant', 'Coordinator', 'Designer', 'Developer',
	'Director', 'Engineer', 'Manager', 'Officer', 'Specialist', 'Team Lead', 'Technician', 'Trainee'
];

const COMPANIES = ['Northwind Traders', 'Contoso Ltd', 'Fabrikam, Inc.', 'Globex Corporation', 'Initech'];

const DAY = 24 * 60 * 60 * 1000;
/** A fixed 'now' (2026-11-01) so that a seed gives the same directory whatever the day. */
const NOW = Date.UTC(2026, 10, 1);

/** mulberry32: a small, fast, seeded generator. */
function generator(seed: number): () => number {
	let state = seed >>> 0;
	return () => {
		state = (state + 0x6d2b79f5) >>> 0;
		let t = state;
		t = Math.imul(t ^ (t >>> 15), t | 1);
		t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
		return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
	};
}

/** A name as it may appear in an email's local part: ASCII letters only, lower case. */
function asciiPart(name: string): string {
	return name
		.normalize('NFKD')
		.replace(/\p{M}/gu, '')
		.toLowerCase()
		.replace(
			/[ßæœøłđðþı]/gu,
			(c) => ({ ß: 'ss', æ: 'ae', œ: 'oe', ø: 'o', ł: 'l', đ: 'd', ð: 'd', þ: 'th', ı: 'i' })[c] ?? c
		)
		.replace(/[^a-z]/gu, '');
}

/** One generated person: what the admin would type (for the sample check) and the record stored. */
export interface Person {
	input: UserInput;
	user: SeedUser;
}

/**
 * Makes users one after another. Indexes are global: a second generator started at `from` continues the same
 * directory (the 1,000,000-user run tops up the 100,000), with emails and usernames unique across both.
 */
export class People {
	#random: () => number;
	#next: number;
	readonly #asciiFirst = FIRST_NAMES.map(asciiPart);
	readonly #asciiLast = LAST_NAMES.map(asciiPart);
	readonly #hasSuspended: boolean;

	/** `hasSuspended: false` makes the one user in ten who would be Suspended Pending instead. */
	constructor(from = 0, seed = 20_261_122, { hasSuspended = true }: { hasSuspended?: boolean } = {}) {
		this.#random = generator(seed + from);
		this.#next = from;
		this.#hasSuspended = hasSuspended;
	}

	#pick<T>(list: readonly T[]): T {
		return list[Math.floor(this.#random() * list.length)]!;
	}

	#index(length: number): number {
		return Math.floor(this.#random() * length);
	}

	/** The next person of the directory. */
	person(): Person {
		const n = this.#next++;
		const r = this.#random;
		const f = this.#index(FIRST_NAMES.length);
		const l = this.#index(LAST_NAMES.length);
		const firstName = FIRST_NAMES[f]!;
		const lastName = LAST_NAMES[l]!;
		// Unique: the running number in base 36 keeps addresses short and realistic ('jose.garcia.2bx').
		const local = `${this.#asciiFirst[f]}.${this.#asciiLast[l]}.${n.toString(36)}`;
		const domain = DOMAINS[n % DOMAINS.length]!;
		const email = r() < 0.05 ? `${local.toUpperCase()}@${domain}` : `${local}@${domain}`;
		const userType: UserType = r() < 0.15 ? 'Privileged' : 'Standard';
		const site = r() < 0.3 ? 'HQ' : this.#pick(SITES);
		const input: UserInput = { firstName, lastName, email, userType, site };
		const fields: UserFields = { firstName, lastName, email, userType, site, inGlobalAddressBook: false };
		if (r() < 0.6) fields.username = input.username = local;
		if (r() < 0.7) fields.department = input.department = this.#pick(DEPARTMENTS);
		if (r() < 0.5) fields.jobTitle = input.jobTitle = this.#pick(JOB_TITLES);
		if (r() < 0.3) fields.company = input.company = this.#pick(COMPANIES);
		if (r() < 0.4) {
			// Typed as people do (national or international form); stored in E.164, as the app does.
			const digits = String(this.#index(100_000_000)).padStart(8, '0');
			const kind = r();
			if (kind < 0.6) {
				input.mobilePhone = `07400 ${digits.slice(2)}`;
				fields.mobilePhone = `+447400${digits.slice(2)}`;
			} else if (kind < 0.8) {
				input.mobilePhone = `+33 6 ${digits.replace(/(\d\d)(?=\d)/gu, '$1 ')}`;
				fields.mobilePhone = `+336${digits}`;
			} else {
				input.mobilePhone = `+49 151 ${digits}`;
				fields.mobilePhone = `+49151${digits}`;
			}
		}
		if (r() < 0.1) fields.customerCode = input.customerCode = String(n).padStart(8, '0');
		if (r() < 0.02)
			fields.displayName = input.displayName = `${firstName} ${lastName} (${this.#pick(SITES)})`;

		const createdAt = NOW - Math.floor(r() * 730 * DAY);
		const roll = r();
		const status: UserStatus =
			roll < 0.6 ? 'Active' : roll < 0.9 || !this.#hasSuspended ? 'Pending' : 'Suspended';
		const activated = status === 'Active' || (status === 'Suspended' && r() < 0.7);
		const activatedAt = activated ? createdAt + Math.floor(r() * 7 * DAY) : null;
		const lastLoginAt = activatedAt === null ? 0 : Math.min(NOW, activatedAt + Math.floor(r() * 400 * DAY));
		// Every user has a license key (v8), drawn from the generator so the directory stays the same.
		const licensed = {
			...fields,
			// The form's default (fields.ts): no web access until the admin gives it.
			webAccess: false,
			licenseKey: newLicenseKey((array) => array.map(() => Math.floor(r() * 0x1_0000_0000)))
		};
		const user: SeedUser = {
			...licensed,
			...userKeys(licensed, 1),
			customerId: 1,
			status,
			hasPassword: r() < 0.3,
			createdAt,
			updatedAt: Math.max(createdAt, lastLoginAt),
			activatedAt,
			lastLoginAt
		};
		// Stored records carry no undefined keys (IndexedDB would index nothing for them anyway).
		if (user.usernameKey === undefined) delete user.usernameKey;
		if (user.customerCodeKey === undefined) delete user.customerCodeKey;
		return { input, user };
	}

	/** The next `count` stored users. */
	users(count: number): SeedUser[] {
		const batch = new Array<SeedUser>(count);
		for (let i = 0; i < count; i++) batch[i] = this.person().user;
		return batch;
	}
}
