#!/usr/bin/env node
// Placeholder until the participant page exists: the budget check is added with the design system.
console.log('bundle budget: no participant page yet');
