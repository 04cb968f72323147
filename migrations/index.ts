import * as migration_20261122_030912_initial from './20261122_030912_initial';
import * as migration_20261122_035317_loyalty from './20261122_035317_loyalty';
import * as migration_20261122_035953_jobs from './20261122_035953_jobs';
import * as migration_20261122_044500_guard_computed_member_fields from './20261122_044500_guard_computed_member_fields';
import * as migration_20261122_045000_guard_voucher_stock from './20261122_045000_guard_voucher_stock';
import * as migration_20261122_045010_catalogue from './20261122_045010_catalogue';
import * as migration_20261122_045333_inventory_jobs from './20261122_045333_inventory_jobs';
import * as migration_20261122_054212_commerce from './20261122_054212_commerce';
import * as migration_20261122_054300_commerce_guards from './20261122_054300_commerce_guards';
import * as migration_20261122_065743_list_indexes from './20261122_065743_list_indexes';
import * as migration_20261122_065800_search_and_ledger_hardening from './20261122_065800_search_and_ledger_hardening';
import * as migration_20261122_070000_cache_notify from './20261122_070000_cache_notify';
import * as migration_20261122_090000_account_cache_notify from './20261122_090000_account_cache_notify';
import * as migration_20261122_090100_hot_voucher_stock from './20261122_090100_hot_voucher_stock';
import * as migration_20261122_093631_redemption_member_voucher_index from './20261122_093631_redemption_member_voucher_index';

export const migrations = [
  {
    up: migration_20261122_030912_initial.up,
    down: migration_20261122_030912_initial.down,
    name: '20261122_030912_initial',
  },
  {
    up: migration_20261122_035317_loyalty.up,
    down: migration_20261122_035317_loyalty.down,
    name: '20261122_035317_loyalty',
  },
  {
    up: migration_20261122_035953_jobs.up,
    down: migration_20261122_035953_jobs.down,
    name: '20261122_035953_jobs',
  },
  {
    up: migration_20261122_044500_guard_computed_member_fields.up,
    down: migration_20261122_044500_guard_computed_member_fields.down,
    name: '20261122_044500_guard_computed_member_fields',
  },
  {
    up: migration_20261122_045000_guard_voucher_stock.up,
    down: migration_20261122_045000_guard_voucher_stock.down,
    name: '20261122_045000_guard_voucher_stock',
  },
  {
    up: migration_20261122_045010_catalogue.up,
    down: migration_20261122_045010_catalogue.down,
    name: '20261122_045010_catalogue',
  },
  {
    up: migration_20261122_045333_inventory_jobs.up,
    down: migration_20261122_045333_inventory_jobs.down,
    name: '20261122_045333_inventory_jobs',
  },
  {
    up: migration_20261122_054212_commerce.up,
    down: migration_20261122_054212_commerce.down,
    name: '20261122_054212_commerce',
  },
  {
    up: migration_20261122_054300_commerce_guards.up,
    down: migration_20261122_054300_commerce_guards.down,
    name: '20261122_054300_commerce_guards',
  },
  {
    up: migration_20261122_065743_list_indexes.up,
    down: migration_20261122_065743_list_indexes.down,
    name: '20261122_065743_list_indexes',
  },
  {
    up: migration_20261122_065800_search_and_ledger_hardening.up,
    down: migration_20261122_065800_search_and_ledger_hardening.down,
    name: '20261122_065800_search_and_ledger_hardening',
  },
  {
    up: migration_20261122_070000_cache_notify.up,
    down: migration_20261122_070000_cache_notify.down,
    name: '20261122_070000_cache_notify',
  },
  {
    up: migration_20261122_090000_account_cache_notify.up,
    down: migration_20261122_090000_account_cache_notify.down,
    name: '20261122_090000_account_cache_notify',
  },
  {
    up: migration_20261122_090100_hot_voucher_stock.up,
    down: migration_20261122_090100_hot_voucher_stock.down,
    name: '20261122_090100_hot_voucher_stock',
  },
  {
    up: migration_20261122_093631_redemption_member_voucher_index.up,
    down: migration_20261122_093631_redemption_member_voucher_index.down,
    name: '20261122_093631_redemption_member_voucher_index'
  },
];
