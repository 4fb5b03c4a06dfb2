import { PayWithKlarna } from './pay-with-klarna.js';
import { definePayWithKlarna } from './register.js';

// Registered at once, so code and frameworks that run right after this import find upgraded
// elements. Elements already in the page start Klarna's download in their first update.
definePayWithKlarna();

export { PayWithKlarna };
