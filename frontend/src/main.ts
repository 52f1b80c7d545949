import { mount } from 'svelte';
import './styles/main.scss';
import App from './App.svelte';

// nhsuk-frontend styles some components differently when JavaScript runs.
document.body.classList.add('js-enabled', 'nhsuk-frontend-supported');

const target = document.getElementById('app');
if (!target) throw new Error('missing #app element');

export default mount(App, { target });
