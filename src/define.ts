import { PayWithKlarna } from './pay-with-klarna.js';
import { definePayWithKlarna } from './register.js';

// Registered at once: a framework that renders right after this import gets upgraded elements, so
// it sets objects and functions as properties. Elements start Klarna's download in their first update.
definePayWithKlarna();

export { PayWithKlarna };
