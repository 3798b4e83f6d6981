# Interpreter and JIT instructions relative to native C, per workload.
# gnuplot -e "datadir='...'; outdir='...'" ratios.gp
set terminal pngcairo noenhanced size 1000,500 font ",10"
set output outdir."/ratios.png"
set title "Executed instructions relative to native C (1 = native)"
set ylabel "ratio to native (log)"
set logscale y
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set boxwidth 0.9
set xtics rotate by -35
set key outside right top vertical
set grid ytics
set yrange [0.5:*]
# The targets on fletcher16_640: interpreter <= 10x, JIT <= 1.2x.
set arrow from graph 0, first 10 to graph 1, first 10 nohead dashtype 2 lc rgb "#a0309e"
set arrow from graph 0, first 1.2 to graph 1, first 1.2 nohead dashtype 2 lc rgb "#20a080"
targets = 'NaN with lines dashtype 2 lc rgb "#a0309e" title "interpreter target (10x)", NaN with lines dashtype 2 lc rgb "#20a080" title "JIT target (1.2x)"' 
if (hasjit) {
  plot datadir."/ratios.dat" using 2:xtic(1) title "interpreter", "" using 3 title "JIT", @targets
} else {
  plot datadir."/ratios.dat" using 2:xtic(1) title "interpreter", @targets
}
