/** A person the admin adds through the form (the Rollcall default policy asks for these three). */
export interface Person {
	firstName: string;
	lastName: string;
	email: string;
}

export const nameOf = (person: Person): string => `${person.firstName} ${person.lastName}`;

/**
 * The people of the list tests. Their alphabetical order (by folded name) is the order of this object;
 * their email order is another, so sorting by Email visibly changes the list.
 */
export const people = {
	ann: { firstName: 'Ann', lastName: 'Archer', email: 'ann@example.com' },
	// A lower-case name files among the others, not after 'Z'.
	bob: { firstName: 'bob', lastName: 'lee', email: 'robert.lee@example.com' },
	eddie: { firstName: 'Eddie', lastName: 'Brown', email: 'brown.e@example.com' },
	// An accented name files under E, between Eddie and Emma.
	elodie: { firstName: 'Élodie', lastName: 'Martin', email: 'elodie@example.fr' },
	emma: { firstName: 'Emma', lastName: 'Stone', email: 'emma@example.com' },
	zack: { firstName: 'Zack', lastName: 'Young', email: 'zack@example.com' }
} satisfies Record<string, Person>;

/** Everyone, in the list's default (alphabetical) order. */
export const everyone: Person[] = Object.values(people);

/** A password the relay's rules accept for an SMS (15+ characters, no part of the person's names). */
export const SMS_PASSWORD = 'lantern orbit 47 quietly';
