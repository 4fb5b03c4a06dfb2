import { createApp } from 'vue';
import '../../../src/define.js'; // in your app: import 'pay-with-klarna/define';
import Checkout from './Checkout.vue';

createApp(Checkout).mount('#app');
