import { mount } from 'svelte';
import '../../../src/define.js'; // in your app: import 'pay-with-klarna/define';
import Checkout from './Checkout.svelte';

mount(Checkout, { target: document.getElementById('app')! });
