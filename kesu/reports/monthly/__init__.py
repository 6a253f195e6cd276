"""The monthly quality report (《月度客户投诉分析报告》, issue #16): its figures (`figures`),
its PDF (`document`), its indicator tables for the workbook (`tables`) and its files as HTTP
answers for the API and the workspace (`files`)."""
