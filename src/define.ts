import { PayWithKlarna } from './pay-with-klarna.js';
import { definePayWithKlarna } from './register.js';

// Registered at once, so code and frameworks that run right after this import find upgraded
// elements. Elements start Klarna's download when they connect (in the script-tag bundle, its
// first act has started it already).
definePayWithKlarna();

export { PayWithKlarna };
